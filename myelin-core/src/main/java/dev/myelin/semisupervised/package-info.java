/**
 * Learning from few labels: {@link dev.myelin.semisupervised.AutoLabeler} proposes labels with their
 * confidences for a person to review, {@link dev.myelin.semisupervised.PseudoLabelling} self-trains on the
 * confident ones, and {@link dev.myelin.semisupervised.FixMatch} (Sohn et al. 2020) trains any compiled
 * classifier on labelled data plus the consistency between weak and strong augmentations of unlabelled data.
 */
package dev.myelin.semisupervised;

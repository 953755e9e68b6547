/**
 * Interpretability: which parts of an input a model's decision rests on.
 *
 * <p>Attribution methods ({@link dev.myelin.explain.AttributionMethod}) for any single-input
 * {@link dev.myelin.models.Model} whose output is {@code [batch, classes]} (images, sequences, tabular
 * rows): {@link dev.myelin.explain.Saliency}, {@link dev.myelin.explain.GradientTimesInput},
 * {@link dev.myelin.explain.SmoothGrad}, {@link dev.myelin.explain.IntegratedGradients} (with its
 * completeness error), {@link dev.myelin.explain.GradCam} on a layer chosen by name, and the model-agnostic
 * {@link dev.myelin.explain.Occlusion}. The class explained is a {@link dev.myelin.explain.Target}; the score
 * is the logit before a softmax or sigmoid output, else the output. Work is batched: one forward and
 * backward pass per batch (per step or sample for IG and SmoothGrad).
 *
 * <p>Pictures: {@link dev.myelin.explain.HeatMaps} (a {@link dev.myelin.explain.ColorMap} over the image, a
 * PNG grid of images × methods) and {@link dev.myelin.explain.TokenHtml} for text. Checks that an
 * attribution means something: {@link dev.myelin.explain.CascadingRandomization} (Adebayo et al. 2018) and
 * the {@link dev.myelin.explain.DeletionCurve}.
 *
 * <pre>{@code
 * Attribution ig = new IntegratedGradients().explain(model, x, Target.predicted());
 * HeatMaps.writeGrid(x, 0, 1, List.of(ig.values()), ColorMap.INFERNO, 0.6, 4, Path.of("ig.png"));
 * DeletionCurve d = DeletionCurve.measure(model, x, ig.values(), ig.targets(), 20, 0, 42);
 * }</pre>
 */
package dev.myelin.explain;

/**
 * Multi-modal learning: models over images, text and tables together, and a CLIP-style contrastive dual encoder.
 *
 * <ul>
 *   <li>{@link dev.myelin.multimodal.FusionModels}: functional classifiers with an image, a text and a tabular
 *       branch fused by concatenation, {@link dev.myelin.nn.layers.GatedFusion} or cross-attention.</li>
 *   <li>{@link dev.myelin.multimodal.InfoNce}: CLIP's symmetric contrastive loss with a learned, clamped temperature.</li>
 *   <li>{@link dev.myelin.multimodal.DualEncoder}: an image encoder and a text encoder trained with it (a
 *       {@code Trainable}, so {@code fit} brings callbacks and the progress bar), with word dropout.</li>
 *   <li>{@link dev.myelin.multimodal.ZeroShot}: zero-shot classification from class descriptions
 *       ({@link dev.myelin.multimodal.ClassDescriptions}) and image→text recall@k.</li>
 *   <li>{@link dev.myelin.multimodal.FashionClip}: the whole recipe on Fashion-MNIST, as {@code myelin clip} runs it.</li>
 * </ul>
 *
 * <pre>{@code
 * FashionClip.Result r = FashionClip.train(FashionMnist.load(dir), FashionClip.Settings.defaults().limit(6000), System.out::println);
 * ZeroShot.Report last = r.epochs().getLast().test();   // accuracy, recallAt1, recallAt5
 * }</pre>
 */
package dev.myelin.multimodal;

/**
 * Differential privacy for training (DP-SGD, Abadi et al. 2016) with a Rényi-DP accountant.
 *
 * <ul>
 *   <li>{@link dev.myelin.privacy.PerExampleGradients}: the gradient of every example of a batch, from ONE
 *       forward and backward pass (Opacus's per-sample tricks: each layer's input activation and output
 *       gradient, combined by a batched product), for Dense, Conv2D, Embedding, LayerNormalization, SimpleRNN,
 *       LSTM and GRU layers (the recurrent ones summed over the time steps).</li>
 *   <li>{@link dev.myelin.privacy.DPSGD}: the gradient transform: clip each example's gradient to norm
 *       {@code C}, sum, add {@code N(0, σ²C²)}, divide by the expected batch size.</li>
 *   <li>{@link dev.myelin.privacy.RdpAccountant}: the privacy spent by the subsampled Gaussian mechanism
 *       (Mironov 2017; Mironov, Talwar and Zhang 2019) as {@code (ε, δ)}, and the noise for a target ε.</li>
 *   <li>{@link dev.myelin.privacy.PrivateModel}: a compiled model trained privately by {@code fit}, with
 *       Poisson-sampled batches, any optimizer, and {@code epsilon} in each epoch's logs.</li>
 * </ul>
 *
 * <pre>{@code
 * model.compile(new SGD(0.5), Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Metric.ACCURACY);
 * PrivateModel priv = new PrivateModel(model, PrivacySettings.targetEpsilon(3.0, 1e-5).clipNorm(1.0));
 * History h = priv.fit(x, y, FitOptions.epochs(10).batchSize(256).seed(1));
 * System.out.println(priv.epsilon());   // the budget spent, <= 3
 * }</pre>
 */
package dev.myelin.privacy;

/**
 * Attention and Transformer layers with Keras 3's (and keras-hub's) arguments, weights and masks:
 * {@link dev.myelin.nn.attention.MultiHeadAttention} (query / value / key, attention masks, causal masking,
 * scores on request), {@link dev.myelin.nn.attention.TransformerEncoder} and
 * {@link dev.myelin.nn.attention.TransformerDecoder} (post- or pre-norm, residuals, feed-forward, causal
 * self-attention and optional cross-attention), {@link dev.myelin.nn.attention.PositionEmbedding} and
 * {@link dev.myelin.nn.attention.SinePositionEncoding}. In float32 the attention itself runs as one fused
 * operation ({@code Tensor.scaledDotProductAttention}: a flash-attention kernel on the CPU backend, memory
 * linear in the sequence length); float64 keeps the composed formula that the gradient checks verify.
 *
 * <pre>{@code
 * SymbolicTensor tokens = new Embedding(vocabulary, 128).apply(Input.of(128));
 * SymbolicTensor x = new Add().apply(tokens, new PositionEmbedding(128).apply(tokens));
 * x = new TransformerEncoder(512, 4).apply(x);
 * }</pre>
 */
package dev.myelin.nn.attention;

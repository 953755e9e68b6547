/**
 * A GPT-style language model: {@link dev.myelin.text.gpt.GptModel} (decoder-only Transformer with learned
 * positions, pre-norm causal blocks and a key/value cache for generation), {@link dev.myelin.text.gpt.Sampler}
 * (greedy, temperature, top-k, top-p), {@link dev.myelin.text.gpt.Tokenizer} (characters or byte-level BPE),
 * {@link dev.myelin.text.gpt.TokenData} (a text split into training and validation ids) and
 * {@link dev.myelin.text.gpt.GptTrainer} (next-token training with AdamW, warm-up and cosine decay; validation
 * perplexity and bits per character).
 *
 * <pre>{@code
 * String[] parts = TokenData.split(text, 0.1);
 * Tokenizer chars = new CharTokenizer(text);
 * TokenData data = TokenData.of(chars, parts[0], parts[1]);
 * GptModel gpt = new GptModel(GptConfig.of(chars.vocabularySize(), 128, 128, 4, 4), 42);
 * new GptTrainer(gpt, data).fit(5, r -> System.out.println(r));
 * int[] ids = gpt.generate(chars.encode("In the"), 200, Sampler.of(0.8).withTopK(20), rng, true);
 * }</pre>
 */
package dev.myelin.text.gpt;

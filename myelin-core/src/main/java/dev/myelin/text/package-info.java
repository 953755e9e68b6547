/**
 * Text in: {@link dev.myelin.text.TextVectorizer} (Keras's {@code TextVectorization}: standardize,
 * split, vocabulary, token ids), {@link dev.myelin.text.LabelledTexts} (a folder of texts
 * per class) and {@link dev.myelin.text.CharLanguageModel}, a character-level LSTM language model.
 */
package dev.myelin.text;

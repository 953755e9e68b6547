package dev.myelin.examples;

import dev.myelin.io.AtomicFiles;
import dev.myelin.text.BpeTokenizer;
import dev.myelin.text.FortunesCorpus;
import dev.myelin.text.LabelledTexts;
import dev.myelin.text.TextSplit;
import dev.myelin.text.TextVectorizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Issue 12's fortunes classification data: the quotations of the ten categories the issue names, 1 to 1,000
 * characters long, split 70 / 10 / 20 % into train, validation and test sets with every category in
 * proportion:
 * <pre>{@code
 * new FortunesCorpus(folder).categories(FortunesCorpus.ISSUE_CATEGORIES).lengthRange(1, 1000).load()
 * TextSplit.stratified(all, 0.1, 0.2, 42)
 * }</pre>
 * The token ids of each set come from a vocabulary learned on the training texts only: {@link #words} (a
 * {@link TextVectorizer} of the most frequent words) or {@link #bpe} (a byte-level {@link BpeTokenizer}).
 * Id 0 is padding in both, for {@code Embedding.maskZero}.
 *
 * <p>Example: {@code FortunesData.load(FortunesCorpus.DEBIAN_FOLDER).words(10_000, 128)}.
 */
public record FortunesData(TextSplit split) {
    /** The seed of the stratified split, fixed so every model and the PyTorch twin see the same sets. */
    public static final long SPLIT_SEED = 42;

    /** Reads the corpus in {@code folder} and splits it. */
    public static FortunesData load(Path folder) throws IOException {
        LabelledTexts all = new FortunesCorpus(folder).categories(FortunesCorpus.ISSUE_CATEGORIES).lengthRange(1, 1000).load();
        return new FortunesData(TextSplit.stratified(all, 0.1, 0.2, SPLIT_SEED));
    }

    public List<String> classNames() {
        return split.train().classNames();
    }

    /**
     * The three sets as token ids, with the vocabulary they index.
     *
     * @param vocabulary the token of each id (id 0 is padding)
     */
    public record TokenIds(List<int[]> train, List<int[]> validation, List<int[]> test, List<String> vocabulary) {
        public int vocabularySize() {
            return vocabulary.size();
        }
    }

    /**
     * Word ids: lower case, punctuation stripped, the {@code maxTokens} most frequent training words (padding and
     * {@code [UNK]} included); each text cut or padded to {@code sequenceLength} ids (0 = as long as it is).
     */
    public TokenIds words(int maxTokens, int sequenceLength) {
        TextVectorizer v = new TextVectorizer().maxTokens(maxTokens).sequenceLength(sequenceLength).adapt(split.train().texts());
        return encode(v::encode, v.vocabulary());
    }

    /** Byte-level BPE ids of a {@code vocabularySize}-token tokenizer trained on the training texts; each text cut to {@code maxLength} ids (0 = uncut), unpadded. */
    public TokenIds bpe(int vocabularySize, int maxLength) {
        BpeTokenizer bpe = BpeTokenizer.train(split.train().texts(), vocabularySize);
        List<String> vocabulary = new ArrayList<>();
        for (int id = 0; id < bpe.vocabularySize(); id++) vocabulary.add(bpe.token(id));
        return encode(text -> {
            int[] ids = bpe.encode(text);
            return maxLength > 0 && ids.length > maxLength ? Arrays.copyOf(ids, maxLength) : ids;
        }, vocabulary);
    }

    private TokenIds encode(Function<String, int[]> f, List<String> vocabulary) {
        return new TokenIds(encode(split.train(), f), encode(split.validation(), f), encode(split.test(), f), vocabulary);
    }

    private static List<int[]> encode(LabelledTexts texts, Function<String, int[]> f) {
        return texts.texts().stream().map(f).toList();
    }

    /**
     * Writes the split as token ids for the PyTorch twin ({@code myelin-bench/scripts/torch_fortunes.py}):
     * {@code train.tsv}, {@code validation.tsv}, {@code test.tsv} with one line per text, {@code label<TAB>id id id ...}
     * (the ids as the Java model reads them, padding included), {@code vocabulary.txt} (the token of each id, one a
     * line, line breaks and tabs escaped as {@code \n}, {@code \t}) and {@code classes.txt} (the class of each label).
     */
    public void exportSplit(Path folder, TokenIds ids) throws IOException {
        Files.createDirectories(folder);
        writeSet(folder.resolve("train.tsv"), split.train(), ids.train());
        writeSet(folder.resolve("validation.tsv"), split.validation(), ids.validation());
        writeSet(folder.resolve("test.tsv"), split.test(), ids.test());
        writeLines(folder.resolve("vocabulary.txt"), ids.vocabulary().stream()
                .map(t -> t.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")).toList());
        writeLines(folder.resolve("classes.txt"), classNames());
    }

    private static void writeSet(Path file, LabelledTexts texts, List<int[]> ids) throws IOException {
        List<String> lines = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            StringBuilder line = new StringBuilder().append(texts.labels()[i]).append('\t');
            for (int j = 0; j < ids.get(i).length; j++) line.append(j == 0 ? "" : " ").append(ids.get(i)[j]);
            lines.add(line.toString());
        }
        writeLines(file, lines);
    }

    private static void writeLines(Path file, List<String> lines) throws IOException {
        byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }
}

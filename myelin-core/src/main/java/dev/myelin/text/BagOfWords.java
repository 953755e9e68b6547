package dev.myelin.text;

import dev.myelin.backend.MemoryCheck;
import dev.myelin.tensor.Tensor;
import java.util.List;

/**
 * Token id sequences as fixed-width vectors, one column per id, as Keras's {@code TextVectorization} output
 * modes {@code multi_hot}, {@code count} and {@code tf_idf}: the input of a bag-of-words classifier.
 * The ids come from {@link TextVectorizer#encode} or {@link BpeTokenizer#encode}; id 0 (padding in both)
 * is never counted, so column 0 stays 0.
 *
 * <pre>
 *   MULTI_HOT:  x[d, t] = 1 if token t occurs in document d, else 0
 *   COUNT:      x[d, t] = number of times t occurs in d
 *   TF_IDF:     x[d, t] = count(d, t) · idf(t),   idf(t) = ln(1 + N / (1 + df(t)))
 * </pre>
 * with N the documents given to {@link #adapt} and df(t) how many of them hold t (Keras's formula).
 *
 * <p>Shapes: {@link #transform} gives {@code [documents, vocabularySize]} float32.
 *
 * <p>Example:
 * <pre>{@code
 * var bag = new BagOfWords(vectorizer.vocabularySize(), BagOfWords.Mode.TF_IDF).adapt(trainIds);
 * Tensor x = bag.transform(trainIds);   // for Dense(classes, softmax)
 * }</pre>
 */
public final class BagOfWords {
    /** What each column holds. */
    public enum Mode { MULTI_HOT, COUNT, TF_IDF }

    private final int vocabularySize;
    private final Mode mode;
    private float[] idf;

    public BagOfWords(int vocabularySize, Mode mode) {
        if (vocabularySize < 1) throw new IllegalArgumentException("vocabularySize must be positive, got " + vocabularySize);
        this.vocabularySize = vocabularySize;
        this.mode = mode;
    }

    /** Learns the document frequencies TF_IDF needs (other modes need nothing and return at once). */
    public BagOfWords adapt(List<int[]> documents) {
        if (mode != Mode.TF_IDF) return this;
        if (documents.isEmpty()) throw new IllegalArgumentException("cannot learn document frequencies from no documents");
        int[] df = new int[vocabularySize];
        int[] lastSeen = new int[vocabularySize];
        java.util.Arrays.fill(lastSeen, -1);
        for (int d = 0; d < documents.size(); d++) {
            for (int id : documents.get(d)) {
                check(id, d);
                if (lastSeen[id] != d) {
                    lastSeen[id] = d;
                    df[id]++;
                }
            }
        }
        float[] w = new float[vocabularySize];
        for (int t = 0; t < vocabularySize; t++) w[t] = (float) Math.log(1 + (double) documents.size() / (1 + df[t]));
        idf = w;
        return this;
    }

    /** The inverse document frequencies (TF_IDF after {@link #adapt}). */
    public float[] idf() {
        if (idf == null) throw new IllegalStateException("no idf: mode " + mode + (mode == Mode.TF_IDF ? " before adapt(documents)" : ""));
        return idf.clone();
    }

    /** {@code [documents, vocabularySize]}; an id outside {@code [0, vocabularySize)} is an error naming the document. */
    public Tensor transform(List<int[]> documents) {
        if (mode == Mode.TF_IDF && idf == null) throw new IllegalStateException("BagOfWords TF_IDF needs adapt(documents) before transform");
        String what = "BagOfWords.transform: " + documents.size() + " documents × " + vocabularySize + " tokens";
        int count = MemoryCheck.elementCount(what, documents.size(), vocabularySize);
        MemoryCheck.requireAvailable(what, (long) count * Float.BYTES);
        float[] x = new float[count];
        for (int d = 0; d < documents.size(); d++) {
            int row = d * vocabularySize;
            for (int id : documents.get(d)) {
                check(id, d);
                if (id == 0) continue;
                if (mode == Mode.MULTI_HOT) x[row + id] = 1;
                else x[row + id] += 1;
            }
            if (mode == Mode.TF_IDF) for (int t = 1; t < vocabularySize; t++) x[row + t] *= idf[t];
        }
        return Tensor.of(x, Math.max(documents.size(), 0), vocabularySize);
    }

    private void check(int id, int document) {
        if (id < 0 || id >= vocabularySize) throw new IllegalArgumentException("document " + document + " has token id " + id + " outside [0, " + vocabularySize + ")");
    }
}

package dev.myelin.text;

import dev.myelin.autograd.NoGrad;
import dev.myelin.losses.Loss;
import dev.myelin.nn.Activation;
import dev.myelin.models.Sequential;
import dev.myelin.nn.layers.Dense;
import dev.myelin.nn.recurrent.Embedding;
import dev.myelin.nn.recurrent.LSTM;
import dev.myelin.optim.Adam;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.Callback;
import dev.myelin.train.FitOptions;
import dev.myelin.train.History;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * A character-level language model, as Keras's {@code lstm_text_generation} example: from a window of
 * {@code window} characters, predict the next one, with
 * {@code Embedding(vocabulary, embedDim, maskZero) → LSTM(units) → Dense(vocabulary, softmax)}.
 * Id 0 is padding (masked), so a prompt shorter than the window works; ids 1.. are the text's distinct
 * characters in order. {@link #generate} samples one character at a time with a temperature.
 *
 * <pre>{@code
 * var lm = new CharLanguageModel(text, 40, 32, 128).seed(42);
 * lm.fit(10, 64, 3);
 * System.out.println(lm.generate("In the beginning", 300, 0.5, RandomGenerator.of("L64X128MixRandom")));
 * }</pre>
 */
public final class CharLanguageModel {
    private final String text;
    private final int window;
    private final char[] chars;
    private final Map<Character, Integer> ids = new TreeMap<>();
    private final Sequential model;
    private double learningRate = 0.003;
    private long seed = 42;
    private boolean compiled;
    private int verbose = 1;

    public CharLanguageModel(String text, int window, int embedDim, int units) {
        if (text == null || text.length() <= window) {
            throw new IllegalArgumentException("the text must be longer than the window of " + window + " characters, got "
                    + (text == null ? "null" : text.length() + " characters"));
        }
        if (window <= 0) throw new IllegalArgumentException("window must be positive, got " + window);
        this.text = text;
        this.window = window;
        TreeSet<Character> set = new TreeSet<>();
        for (char c : text.toCharArray()) set.add(c);
        chars = new char[set.size() + 1];
        int i = 1;
        for (char c : set) {
            chars[i] = c;
            ids.put(c, i++);
        }
        model = new Sequential(
                new Embedding(chars.length, embedDim).maskZero(true).inputShape(window),
                new LSTM(units),
                new Dense(chars.length, Activation.SOFTMAX));
    }

    public CharLanguageModel learningRate(double value) {
        this.learningRate = value;
        return this;
    }

    public CharLanguageModel seed(long value) {
        this.seed = value;
        return this;
    }

    /** Progress output of {@link #fit}: 1 = progress bar (default), 0 = silent, as {@link FitOptions#verbose}. */
    public CharLanguageModel verbose(int level) {
        this.verbose = level;
        return this;
    }

    public Sequential model() {
        return model;
    }

    /** Number of ids, padding included. */
    public int vocabularySize() {
        return chars.length;
    }

    /** Training pairs: windows starting every {@code step} characters ({@code x [n, window]} ids) and the next character's id ({@code y [n]}). */
    public Tensor[] windows(int step) {
        if (step <= 0) throw new IllegalArgumentException("step must be positive, got " + step);
        int n = (text.length() - window - 1) / step + 1;
        float[] x = new float[n * window];
        float[] y = new float[n];
        for (int s = 0; s < n; s++) {
            int start = s * step;
            for (int k = 0; k < window; k++) x[s * window + k] = ids.get(text.charAt(start + k));
            y[s] = ids.get(text.charAt(start + window));
        }
        return new Tensor[] {Tensor.of(x, n, window), Tensor.of(y, n)};
    }

    /** Trains with Adam and sparse categorical cross-entropy on {@link #windows(int)}; returns the history (loss per epoch). */
    public History fit(int epochs, int batchSize, int step, Callback... callbacks) {
        if (!compiled) {
            model.seed(seed);
            model.compile(new Adam(learningRate), Loss.SPARSE_CATEGORICAL_CROSSENTROPY);
            compiled = true;
        }
        Tensor[] data = windows(step);
        return model.fit(data[0], data[1], FitOptions.epochs(epochs).batchSize(batchSize).seed(seed).verbose(verbose).callbacks(callbacks));
    }

    /**
     * {@code prompt} followed by {@code length} sampled characters. Characters of the prompt that are not
     * in the text are an error; a prompt shorter than the window is left-padded (masked).
     */
    public String generate(String prompt, int length, double temperature, RandomGenerator rng) {
        int[] win = new int[window];
        StringBuilder sb = new StringBuilder(prompt);
        int from = Math.max(0, prompt.length() - window);
        for (int k = from; k < prompt.length(); k++) {
            Integer id = ids.get(prompt.charAt(k));
            if (id == null) throw new IllegalArgumentException("prompt character '" + prompt.charAt(k) + "' does not occur in the training text");
            win[window - (prompt.length() - k)] = id;
        }
        try (var ng = NoGrad.scope()) {
            float[] x = new float[window];
            for (int i = 0; i < length; i++) {
                for (int k = 0; k < window; k++) x[k] = win[k];
                float[] probs = model.predict(Tensor.of(x, 1, window)).toFloatArray();
                probs[0] = 0; // never padding
                int next = sample(probs, temperature, rng);
                sb.append(chars[next]);
                System.arraycopy(win, 1, win, 0, window - 1);
                win[window - 1] = next;
            }
        }
        return sb.toString();
    }

    /**
     * Draws an index from {@code probs} reweighted by temperature: {@code p_i^(1/T)} normalized. T → 0 is
     * greedy (T = 0 takes the arg max), T = 1 samples the model's distribution, T > 1 flattens it.
     */
    public static int sample(float[] probs, double temperature, RandomGenerator rng) {
        if (!(temperature >= 0)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        int best = 0;
        for (int i = 1; i < probs.length; i++) if (probs[i] > probs[best]) best = i;
        if (temperature == 0) return best;
        double[] w = new double[probs.length];
        double maxLog = Math.log(Math.max(probs[best], Double.MIN_VALUE)) / temperature;
        double total = 0;
        for (int i = 0; i < probs.length; i++) {
            w[i] = probs[i] <= 0 ? 0 : Math.exp(Math.log(probs[i]) / temperature - maxLog);
            total += w[i];
        }
        double u = rng.nextDouble() * total;
        for (int i = 0; i < w.length; i++) {
            u -= w[i];
            if (u < 0 && w[i] > 0) return i;
        }
        return best;
    }
}

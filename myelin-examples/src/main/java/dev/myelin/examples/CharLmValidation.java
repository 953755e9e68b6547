package dev.myelin.examples;

import dev.myelin.autograd.NoGrad;
import dev.myelin.io.TextFiles;
import dev.myelin.tensor.Tensor;
import dev.myelin.text.CharLanguageModel;
import dev.myelin.text.gpt.TokenData;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The character LSTM of {@code ./myelin charlm} (window 40, embedding 32, LSTM 128, Adam 0.003, batch 64,
 * windows every 3 characters) scored as {@code ./myelin gpt} scores its GPT: trained on the first 90% of the
 * text ({@link TokenData#split}) and evaluated on the last 10% in bits per character, so the two language
 * models can be compared on the same validation text. Every validation character is predicted from up to 40
 * characters before it, within the validation text (the first ones from fewer, the missing ones masked).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp myelin-core/target/classes:myelin-examples/target/classes \
 *     dev.myelin.examples.CharLmValidation data/text/genesis-1-11-kjv.txt 10
 * </pre>
 */
public final class CharLmValidation {
    private static final int WINDOW = 40;

    private CharLmValidation() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) throw new IllegalArgumentException("usage: CharLmValidation TEXT_FILE EPOCHS");
        int epochs = Integer.parseInt(args[1]);
        String[] parts = TokenData.split(TextFiles.readUtf8(Path.of(args[0])), 0.1);
        String train = parts[0], validation = parts[1];
        CharLanguageModel lm = new CharLanguageModel(train, WINDOW, 32, 128).learningRate(0.003).seed(42).verbose(0);
        long t0 = System.nanoTime();
        var history = lm.fit(epochs, 64, 3);
        System.out.printf(Locale.ROOT, "charlm: %d epochs in %.1f s, training loss %s%n", epochs, (System.nanoTime() - t0) / 1e9, history.get("loss"));
        // the model's ids: the training text's characters in sorted order from 1 (0 is padding), as CharLanguageModel numbers them
        Map<Character, Integer> ids = new HashMap<>();
        int next = 1;
        for (char c : new TreeSet<>(train.chars().mapToObj(c -> (char) c).toList())) ids.put(c, next++);
        int n = validation.length() - 1;
        float[] x = new float[n * WINDOW];
        for (int i = 1; i <= n; i++) {
            for (int j = 0; j < WINDOW; j++) {
                int pos = i - WINDOW + j;
                Integer id = pos < 0 ? Integer.valueOf(0) : ids.get(validation.charAt(pos));
                x[(i - 1) * WINDOW + j] = id == null ? 0 : id;
            }
        }
        double nats = 0;
        int scored = 0;
        try (var noGrad = NoGrad.scope()) {
            float[] p = lm.model().predict(Tensor.of(x, n, WINDOW)).toFloatArray();
            int v = lm.vocabularySize();
            for (int i = 1; i <= n; i++) {
                Integer id = ids.get(validation.charAt(i));
                if (id == null) continue; // a character the training text never had: not scored, counted below
                nats += -Math.log(Math.max(p[(i - 1) * v + id], 1e-7));
                scored++;
            }
        }
        System.out.printf(Locale.ROOT, "validation: %d characters scored (%d not in the training text), %.4f nats/char, perplexity %.3f, %.4f bits/char%n",
                scored, n - scored, nats / scored, Math.exp(nats / scored), nats / scored / Math.log(2));
    }
}

package dev.myelin.cli;

import dev.myelin.io.AtomicFiles;
import dev.myelin.io.TextFiles;
import dev.myelin.text.gpt.CharTokenizer;
import dev.myelin.text.gpt.GptConfig;
import dev.myelin.text.gpt.GptModel;
import dev.myelin.text.gpt.GptTrainer;
import dev.myelin.text.gpt.Sampler;
import dev.myelin.text.gpt.TokenData;
import dev.myelin.text.gpt.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code myelin gpt}: trains a small GPT on a text, reports validation perplexity and bits per character, and samples from it. */
@Command(name = "gpt", mixinStandardHelpOptions = true,
        description = {"Train a small GPT (decoder-only Transformer: token and learned position embeddings, pre-norm causal blocks, GELU)",
                "on a text file, its last 10% held out for validation; print the validation loss, perplexity per token and bits per character",
                "each epoch, then text sampled with the key/value cache (default text: Genesis 1-11, King James Version, public domain)."})
public final class GptCommand implements Callable<Integer> {
    @Mixin
    CommonTrainingOptions common;

    @Option(names = "--text", description = "UTF-8 text file (default: " + CharLmCommand.BUNDLED_TEXT + ").")
    Path text;

    @Option(names = "--tokenizer", defaultValue = "char", description = "Tokens: char (one per character) or bpe (byte-level BPE learned from the training part) (default: ${DEFAULT-VALUE}).")
    String tokenizer;

    @Option(names = "--vocab", defaultValue = "512", description = "Vocabulary size of the BPE tokenizer (default: ${DEFAULT-VALUE}).")
    int vocab;

    @Option(names = "--context", defaultValue = "64", description = "Context length: the position table's size, tokens per training window (default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--width", defaultValue = "128", description = "Model width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--layers", defaultValue = "4", description = "Decoder blocks (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "Attention heads; they must divide the width (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--dropout", defaultValue = "0.1", description = "Residual dropout in training (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--batch-size", defaultValue = "16", description = "Windows per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.004", description = "Peak AdamW learning rate, after a linear warm-up and before the cosine decay (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--prompt", description = "Start of the generated text (default: the validation text's first 20 characters).")
    String prompt;

    @Option(names = "--tokens", defaultValue = "200", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--temperature", defaultValue = "0.8", description = "Sampling temperature (default: ${DEFAULT-VALUE}; 0 = greedy).")
    double temperature;

    @Option(names = "--top-k", description = "Sample only among the K most likely tokens (default: all).")
    Integer topK;

    @Option(names = "--top-p", description = "Sample only among the most likely tokens whose probabilities sum to at least P, in (0, 1] (default: 1, all).")
    Double topP;

    @Option(names = "--compare-cache", description = "Also generate without the key/value cache and print both speeds in tokens/s.")
    boolean compareCache;

    @Option(names = "--save", paramLabel = "FILE", description = "After training, write the model and its tokenizer to this model file (GptModel.load reads it).")
    Path save;

    @Option(names = "--load", paramLabel = "FILE", description = "Start from the model and tokenizer in this file (written by --save) instead of a new model; the sizes and tokenizer come from the file, and --epochs 0 only scores and samples.")
    Path load;

    @Option(names = "--export", description = "Write the training and validation token ids to this file for the PyTorch twin (myelin-bench/scripts/torch_gpt.py).")
    Path export;

    @Override
    public Integer call() throws Exception {
        common.applyThreads();
        Sampler sampler = checkOptions();
        if (common.out != null) OptionChecks.writableFolder("--out", common.out);
        Path file = text != null ? text : CharLmCommand.bundledText();
        if (!Files.isRegularFile(file)) throw new IOException("text file " + file + " does not exist");
        String content = TextFiles.readUtf8(file);
        if (content.isBlank()) throw new IllegalArgumentException("the text file " + file + " is empty");
        String[] parts = TokenData.split(content, 0.1);
        GptModel loaded = load != null ? GptModel.load(load) : null;
        Tokenizer tok = load != null ? GptModel.loadTokenizer(load).orElseThrow(() -> new IllegalArgumentException("--load: " + load + " holds no tokenizer"))
                : tokenizer.equals("bpe") ? Tokenizer.bpe(List.of(parts[0]), vocab) : new CharTokenizer(content);
        TokenData data = TokenData.of(tok, parts[0], parts[1]);
        String start = prompt != null ? prompt : parts[1].substring(0, Math.min(20, parts[1].length()));
        int[] promptIds = tok.encode(start); // before training: a prompt the tokenizer cannot read fails now
        if (promptIds.length == 0) throw new IllegalArgumentException("--prompt: the prompt has no tokens");
        System.out.printf(Locale.ROOT, "text: %s: %d characters; tokenizer: %s; training %d tokens, validation (last 10%%) %d tokens, %d characters%n",
                file, content.length(), tok.describe(), data.train().length, data.validation().length, parts[1].length());
        if (export != null) {
            data.write(export);
            System.out.println("wrote the token ids to " + export);
        }
        GptModel gpt = loaded != null ? loaded : new GptModel(new GptConfig(tok.vocabularySize(), context, width, heads, layers, 4 * width, dropout, 1e-5), common.seed);
        GptConfig config = gpt.config();
        System.out.printf(Locale.ROOT, "model%s: %d blocks, width %d, %d heads, context %d: %,d parameters%n", loaded != null ? " from " + load : "",
                config.numLayers(), config.width(), config.numHeads(), config.contextLength(), gpt.countParams());
        GptTrainer trainer = new GptTrainer(gpt, data).batchSize(batchSize).learningRate(lr).seed(common.seed);
        if (loaded != null) {
            GptTrainer.Score s = trainer.evaluate(data.validation(), data.validationCharacters());
            System.out.printf(Locale.ROOT, "loaded: validation loss %.4f nats/token, perplexity %.3f, %.4f bits/char%n", s.loss(), s.perplexity(), s.bitsPerCharacter());
        }
        if (common.epochs > 0) {
            trainer.fit(common.epochs, r -> System.out.printf(Locale.ROOT,
                    "epoch %d/%d: train loss %.4f; validation loss %.4f nats/token, perplexity %.3f, %.4f bits/char; %.1f s, %.0f tokens/s%n",
                    r.epoch(), common.epochs, r.trainLoss(), r.validation().loss(), r.validation().perplexity(), r.validation().bitsPerCharacter(),
                    r.seconds(), r.tokensPerSecond()));
        }
        if (save != null) {
            gpt.save(save, tok);
            System.out.println("wrote the model and its tokenizer to " + save);
        }
        int[] ids = generate(gpt, promptIds, sampler, true);
        String sample = tok.decode(ids);
        System.out.printf(Locale.ROOT, "sample (temperature %.2f, top-k %s, top-p %s):%n%s%n", temperature, topK == null ? "all" : topK,
                topP == null ? "1" : topP, sample);
        if (compareCache) {
            int[] uncached = generate(gpt, promptIds, sampler, false);
            System.out.println("without the cache, the same tokens: " + (Arrays.equals(ids, uncached) ? "yes" : "no"));
        }
        if (common.out != null) {
            Files.createDirectories(common.out);
            Path sampleFile = common.out.resolve("gpt-sample.txt");
            byte[] bytes = (sample + "\n").getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(sampleFile, out -> out.write(bytes));
            System.out.println("wrote " + sampleFile);
        }
        return 0;
    }

    /** Generates {@code --tokens} tokens after the prompt, printing the speed; returns the ids. */
    private int[] generate(GptModel gpt, int[] promptIds, Sampler sampler, boolean useCache) {
        RandomGenerator rng = RandomGeneratorFactory.of("L64X128MixRandom").create(common.seed);
        long t0 = System.nanoTime();
        int[] ids = gpt.generate(promptIds, tokens, sampler, rng, useCache);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "generation %s the key/value cache: %d tokens in %.2f s, %.1f tokens/s%n", useCache ? "with" : "without",
                tokens, seconds, tokens / seconds);
        return ids;
    }

    /** Every option before the text is read and training starts; returns the sampler. */
    private Sampler checkOptions() {
        OptionChecks.atLeast("--epochs", common.epochs, load != null ? 0 : 1);
        if (load != null && !Files.isRegularFile(load)) throw new IllegalArgumentException("--load: " + load + " is not a file");
        Path saveFolder = save == null ? null : save.toAbsolutePath().getParent();
        if (saveFolder != null && !Files.isDirectory(saveFolder)) throw new IllegalArgumentException("--save: the folder " + saveFolder + " does not exist");
        if (!tokenizer.equals("char") && !tokenizer.equals("bpe")) {
            throw new IllegalArgumentException("--tokenizer must be char or bpe, got " + tokenizer);
        }
        OptionChecks.atLeast("--vocab", vocab, 259); // the 3 special tokens and the 256 bytes
        OptionChecks.atLeast("--context", context, 2);
        OptionChecks.atLeast("--width", width, 1);
        OptionChecks.atLeast("--layers", layers, 1);
        OptionChecks.atLeast("--heads", heads, 1);
        if (width % heads != 0) throw new IllegalArgumentException("--heads " + heads + " does not divide --width " + width);
        OptionChecks.fraction("--dropout", dropout);
        OptionChecks.atLeast("--batch-size", batchSize, 1);
        OptionChecks.positive("--lr", lr);
        OptionChecks.atLeast("--tokens", tokens, 0);
        try {
            return new Sampler(temperature, topK, topP);
        } catch (IllegalArgumentException e) {
            String option = e.getMessage().startsWith("top-k") ? "--top-k" : e.getMessage().startsWith("top-p") ? "--top-p" : "--temperature";
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }
}

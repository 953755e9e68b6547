package dev.myelin.text.gpt;

import dev.myelin.config.ConfigArgs;
import dev.myelin.io.FileFormatException;
import dev.myelin.io.Safetensors;
import dev.myelin.models.ModelFile;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.SnapshotFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link GptModel} in a model file ({@link ModelFile}'s container): the config is
 * {@code {"module": "myelin", "class_name": "GptModel", "config": {"vocabulary_size", "context_length", "width",
 * "num_heads", "num_layers", "intermediate_dim", "dropout", "layer_norm_epsilon", "tokenizer"}}}, the tokenizer
 * as {@link Tokenizer#toJsonTree} writes it (or null), and every weight by its full name in
 * {@code model.weights.safetensors}. Loading checks that the weights are exactly the ones the config's model
 * has, with the same shapes, before any is assigned.
 */
final class GptFile {
    static final String CLASS_NAME = "GptModel";

    private GptFile() {}

    static void save(GptModel gpt, Tokenizer tokenizer, Path file) throws IOException {
        if (tokenizer != null && tokenizer.vocabularySize() != gpt.config().vocabularySize()) {
            throw new IllegalArgumentException("the tokenizer has " + tokenizer.vocabularySize() + " ids but the model's vocabulary has "
                    + gpt.config().vocabularySize());
        }
        GptConfig c = gpt.config();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("vocabulary_size", (long) c.vocabularySize());
        config.put("context_length", (long) c.contextLength());
        config.put("width", (long) c.width());
        config.put("num_heads", (long) c.numHeads());
        config.put("num_layers", (long) c.numLayers());
        config.put("intermediate_dim", (long) c.intermediateDim());
        config.put("dropout", c.dropout());
        config.put("layer_norm_epsilon", c.layerNormEpsilon());
        config.put("tokenizer", tokenizer == null ? null : tokenizer.toJsonTree());
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("module", "myelin");
        tree.put("class_name", CLASS_NAME);
        tree.put("config", config);
        ModelFile.write(file, tree, List.of(), Map.of(SnapshotFile.WEIGHTS, Safetensors.encode(gpt.weightValues(), Map.of())));
    }

    static Loaded load(Path file) throws IOException {
        ModelFile.Contents contents = ModelFile.read(file);
        if (!CLASS_NAME.equals(contents.className())) {
            throw new FileFormatException(file + " holds a " + contents.className() + ", not a GptModel: load it with Model.load or GAN.load");
        }
        GptConfig config;
        Object tokenizerTree;
        try {
            ConfigArgs envelope = ConfigArgs.of(CLASS_NAME, contents.config());
            envelope.requiredString("class_name");
            envelope.optionalString("module", null);
            ConfigArgs a = ConfigArgs.of(CLASS_NAME, envelope.raw("config"));
            envelope.finish();
            config = new GptConfig(a.requiredInt("vocabulary_size"), a.requiredInt("context_length"), a.requiredInt("width"),
                    a.requiredInt("num_heads"), a.requiredInt("num_layers"), a.requiredInt("intermediate_dim"), a.requiredDouble("dropout"),
                    a.requiredDouble("layer_norm_epsilon"));
            tokenizerTree = a.raw("tokenizer");
            a.finish();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new FileFormatException(file + ": config.json: " + e.getMessage(), e);
        }
        Tokenizer tokenizer = tokenizerTree == null ? null : Tokenizer.fromJsonTree(tokenizerTree, file + ": config.json: tokenizer");
        if (tokenizer != null && tokenizer.vocabularySize() != config.vocabularySize()) {
            throw new FileFormatException(file + ": config.json: the tokenizer has " + tokenizer.vocabularySize() + " ids but vocabulary_size is "
                    + config.vocabularySize());
        }
        byte[] bytes = contents.entries().get(SnapshotFile.WEIGHTS);
        if (bytes == null) throw new FileFormatException(file + ": has no " + SnapshotFile.WEIGHTS + " entry");
        Map<String, Tensor> values = Safetensors.decode(bytes, file + ": " + SnapshotFile.WEIGHTS).tensors();
        GptModel gpt = new GptModel(config, 0);
        Set<String> expected = new HashSet<>();
        for (Parameter p : gpt.weights()) {
            expected.add(p.name());
            Tensor v = values.get(p.name());
            if (v == null) throw new FileFormatException(file + ": " + SnapshotFile.WEIGHTS + " has no weight '" + p.name() + "'");
            if (!v.shape().equals(p.value().shape())) {
                throw new FileFormatException(file + ": " + SnapshotFile.WEIGHTS + ": weight '" + p.name() + "' has shape " + v.shape()
                        + " but the config's model needs " + p.value().shape());
            }
        }
        for (String name : values.keySet()) {
            if (!expected.contains(name)) throw new FileFormatException(file + ": " + SnapshotFile.WEIGHTS + " has a weight '" + name + "' the config's model does not have");
        }
        gpt.setWeightValues(values);
        return new Loaded(gpt, tokenizer);
    }

    /** What a file holds: the model, and its tokenizer or null. */
    record Loaded(GptModel model, Tokenizer tokenizer) {}
}

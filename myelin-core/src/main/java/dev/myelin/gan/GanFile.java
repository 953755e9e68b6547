package dev.myelin.gan;

import dev.myelin.config.ConfigArgs;
import dev.myelin.config.Registries;
import dev.myelin.io.FileFormatException;
import dev.myelin.io.Json;
import dev.myelin.io.Safetensors;
import dev.myelin.models.Model;
import dev.myelin.models.ModelFile;
import dev.myelin.optim.Optimizer;
import dev.myelin.train.SnapshotFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GAN in a model file ({@link ModelFile}'s container): the config is
 * {@code {"module": "myelin", "class_name": "GAN", "config": {"generator": MODEL, "discriminator": MODEL,
 * "label_smoothing", "discriminator_steps", "discriminator_optimizer", "generator_optimizer"}}} with each
 * model in Keras 3's form; the weights of both models, and for a compiled GAN both optimizers' states and
 * every random generator (the latent vectors' too), so that training goes on exactly as without saving.
 */
final class GanFile {
    private GanFile() {}

    static void save(GAN gan, Path file) throws IOException {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("name", gan.name());
        config.put("generator", Json.parse(gan.generator().toJson()));
        config.put("discriminator", Json.parse(gan.discriminator().toJson()));
        config.put("label_smoothing", gan.labelSmoothing());
        config.put("discriminator_steps", (long) gan.discriminatorSteps());
        boolean compiled = gan.discriminatorOptimizer() != null;
        config.put("discriminator_optimizer", compiled ? Registries.OPTIMIZERS.toJson(gan.discriminatorOptimizer()) : null);
        config.put("generator_optimizer", compiled ? Registries.OPTIMIZERS.toJson(gan.generatorOptimizer()) : null);
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("module", "myelin");
        tree.put("class_name", "GAN");
        tree.put("config", config);
        gan.generator().build();
        gan.discriminator().build();
        Map<String, byte[]> state = compiled ? SnapshotFile.entries(gan.snapshot())
                : Map.of(SnapshotFile.WEIGHTS, Safetensors.encode(gan.weightValues(), Map.of()));
        ModelFile.write(file, tree, List.of(), state);
    }

    static GAN load(Path file) throws IOException {
        ModelFile.Contents contents = ModelFile.read(file);
        if (!"GAN".equals(contents.className())) {
            throw new FileFormatException(file + " holds a " + contents.className() + ", not a GAN: load it with Model.load");
        }
        GAN gan;
        try {
            ConfigArgs envelope = ConfigArgs.of("GAN", contents.config());
            envelope.requiredString("class_name");
            envelope.optionalString("module", null);
            ConfigArgs a = ConfigArgs.of("GAN", envelope.raw("config"));
            envelope.finish();
            a.optionalString("name", "gan");
            Model generator = Model.fromJson(Json.write(a.raw("generator")));
            Model discriminator = Model.fromJson(Json.write(a.raw("discriminator")));
            gan = new GAN(generator, discriminator)
                    .labelSmoothing(a.optionalDouble("label_smoothing", 0))
                    .discriminatorSteps(a.optionalInt("discriminator_steps", 1));
            Optimizer d = a.object("discriminator_optimizer", Registries.OPTIMIZERS, null);
            Optimizer g = a.object("generator_optimizer", Registries.OPTIMIZERS, null);
            a.finish();
            if ((d == null) != (g == null)) throw new IllegalArgumentException("GAN: both optimizers or neither, got one");
            if (d != null) gan.compile(d, g);
            generator.build();
            discriminator.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new FileFormatException(file + ": config.json: " + e.getMessage(), e);
        }
        try {
            if (contents.entries().containsKey(SnapshotFile.STATE)) {
                gan.restore(SnapshotFile.fromEntries(contents.entries(), file.toString()));
            } else {
                byte[] weights = contents.entries().get(SnapshotFile.WEIGHTS);
                if (weights == null) throw new FileFormatException(file + ": has no " + SnapshotFile.WEIGHTS + " entry");
                gan.setWeightValues(Safetensors.decode(weights, file + ": " + SnapshotFile.WEIGHTS).tensors());
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new FileFormatException(file + ": " + e.getMessage(), e);
        }
        return gan;
    }
}

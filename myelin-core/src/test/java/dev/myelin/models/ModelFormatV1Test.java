package dev.myelin.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.myelin.io.Safetensors;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import dev.myelin.train.FitOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A model file of format 1, written by the first Myelin that had model files ({@link FormatV1Fixture}, run
 * once by {@code scripts/make-format-fixtures.sh}) and kept in the repository: every later Myelin must load
 * it, predict what it predicted then, and take the same next training step (optimizer state included).
 * Predictions are compared to 1e-6, so that a kernel change that moves the last bit does not break it.
 */
class ModelFormatV1Test {
    private static final Path DIR = Path.of("src/test/resources/dev/myelin/models");

    @Test
    void formatOneStillLoadsPredictsAndTrainsOnAsItDid() throws IOException {
        Model model = Model.load(DIR.resolve("format-v1.myelin"));
        Map<String, Tensor> expected = Safetensors.read(DIR.resolve("format-v1-expected.safetensors")).tensors();
        assertEquals(List.of("north", "east", "south", "west"), model.classNames());
        assertEquals(List.of("conv", "bn", "pool", "flatten", "dropout", "head"), model.layers().stream().map(l -> l.name()).toList());
        assertEquals("Adam", model.optimizer().getClass().getSimpleName());
        assertEquals(2, model.optimizer().iterations(), "the optimizer's step count was saved");
        assertArrayEquals(expected.get("predictions").toFloatArray(), model.predict(expected.get("x")).toFloatArray(), 1e-6f, "predictions");

        model.fit(expected.get("step_x"), expected.get("y"), FitOptions.epochs(1).batchSize(8).shuffle(false).verbose(0));
        for (Parameter p : model.weights()) {
            Tensor after = expected.get("after_step/" + p.name());
            assertNotNull(after, "the fixture has " + p.name());
            assertArrayEquals(after.toFloatArray(), p.value().toFloatArray(), 1e-6f, p.name() + " after one more step (Adam's slots and the dropout generator restored)");
        }
    }
}

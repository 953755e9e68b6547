package dev.myelin.cli;

import dev.myelin.keras.KerasExport;
import dev.myelin.models.Model;
import dev.myelin.onnx.OnnxExport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code myelin export MODEL FILE.onnx|FILE.keras}: a model into an ONNX file (through {@link OnnxExport}) or a
 * Keras 3 {@code .keras} file (through {@link KerasExport}), chosen by the file's suffix.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a model as an ONNX file (IR 8, opset 17) for ONNX Runtime and other ONNX tools,",
                "or, when FILE ends in .keras, as a Keras 3 .keras file (config.json, metadata.json, model.weights.h5).",
                "MODEL is a Myelin model file, or a Keras .keras/.h5 or an ONNX file. Inputs and outputs stay channels-last",
                "([N, H, W, C] images) with a symbolic batch size. A layer ONNX export does not cover is refused by name."})
public final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file to export (.myelin, .keras, .h5, .onnx).")
    Path model;

    @Parameters(index = "1", paramLabel = "FILE", description = "ONNX or Keras file to write, such as model.onnx or model.keras.")
    Path file;

    @Override
    public Integer call() throws Exception {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean keras = name.endsWith(".keras");
        if (!name.endsWith(".onnx") && !keras) {
            throw new IllegalArgumentException("FILE " + file + " should end in .onnx or .keras (export writes ONNX or Keras 3 files; --save writes Myelin files)");
        }
        SavedModels.checkTarget("FILE", file);
        Model m = SavedModels.load(model);
        if (keras) {
            KerasExport.save(m, file);
            System.out.printf(Locale.ROOT, "exported %s to %s (Keras 3 .keras file, %,d params, %.1f MB)%n", SavedModels.describe(m, model), file,
                    m.countParams(), Files.size(file) / 1e6);
            return 0;
        }
        try {
            OnnxExport.save(m, file);
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException(SavedModels.describe(m, model) + ": " + e.getMessage(), e);
        }
        System.out.printf(Locale.ROOT, "exported %s to %s (ONNX IR %d, opset %d, %,d params, %.1f MB)%n", SavedModels.describe(m, model), file,
                OnnxExport.IR_VERSION, OnnxExport.OPSET, m.countParams(), Files.size(file) / 1e6);
        return 0;
    }
}

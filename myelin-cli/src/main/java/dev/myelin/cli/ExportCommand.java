package dev.myelin.cli;

import dev.myelin.models.Model;
import dev.myelin.onnx.OnnxExport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code myelin export MODEL FILE.onnx}: a model into an ONNX file (through {@link OnnxExport}). */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a model as an ONNX file (IR 8, opset 17) for ONNX Runtime and other ONNX tools.",
                "MODEL is a Myelin model file, or a Keras .keras/.h5 or an ONNX file. Inputs and outputs stay channels-last",
                "([N, H, W, C] images) with a symbolic batch size. A layer ONNX export does not cover is refused by name."})
public final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file to export (.myelin, .keras, .h5, .onnx).")
    Path model;

    @Parameters(index = "1", paramLabel = "FILE", description = "ONNX file to write, such as model.onnx.")
    Path file;

    @Override
    public Integer call() throws Exception {
        if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            throw new IllegalArgumentException("FILE " + file + " should end in .onnx (export writes ONNX files only; --save writes Myelin files)");
        }
        SavedModels.checkTarget("FILE", file);
        Model m = SavedModels.load(model);
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

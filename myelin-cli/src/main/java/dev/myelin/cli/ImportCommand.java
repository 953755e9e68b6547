package dev.myelin.cli;

import dev.myelin.models.Model;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code myelin import FILE --out MODEL}: a Keras or ONNX model into a Myelin model file (through
 * {@code dev.myelin.keras.KerasImport} or {@code dev.myelin.onnx.OnnxImport}).
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Convert a Keras or ONNX model into a Myelin model file: Keras 3 .keras files, Keras 1/2 or tf.keras .h5 files,",
                "and .onnx files (channels-first graphs from PyTorch become channels-last models: feed images as [N, H, W, C]).",
                "Prints the imported model's summary. An unsupported layer or operator (or a Lambda / custom class) is refused",
                "with its name; no code is ever run from the file. summary, evaluate and predict also read these files directly."})
public final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "Keras or ONNX model file (.keras, .h5, .onnx).")
    Path file;

    @Option(names = "--out", required = true, paramLabel = "MODEL", description = "Myelin model file to write, such as model.myelin.")
    Path out;

    @Override
    public Integer call() throws Exception {
        SavedModels.checkTarget("--out", out);
        Model m = SavedModels.load(file);
        System.out.println("imported " + SavedModels.describe(m, file));
        System.out.print(m.summary());
        System.out.println(SummaryCommand.compileSettings(m));
        SavedModels.save(m, out, System.out);
        return 0;
    }
}

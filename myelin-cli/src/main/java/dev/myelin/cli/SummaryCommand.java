package dev.myelin.cli;

import dev.myelin.metrics.Metric;
import dev.myelin.models.Model;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code myelin summary FILE}: what a model file holds. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = {"Print what a model file holds (layers, class names, compile settings).",
                "The model file is one written by --save or Model.save; the layers come with their output shapes and parameter",
                "counts, the compile settings are the optimizer, loss and metrics."})
public final class SummaryCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "Model file.")
    Path file;

    @Override
    public Integer call() throws Exception {
        Model m = SavedModels.load(file);
        System.out.println("model file: " + file);
        System.out.print(m.summary());
        System.out.println("class names: " + (m.classNames().isEmpty() ? "(none: predictions print class indices)" : String.join(", ", m.classNames())));
        System.out.println(compileSettings(m));
        return 0;
    }

    /** {@code compiled: optimizer Adam(...), loss ..., metrics [accuracy]}, or that the model is not compiled. */
    static String compileSettings(Model m) {
        if (!m.isCompiled()) return "compiled: no (evaluate uses sparse categorical cross-entropy and accuracy)";
        return "compiled: optimizer " + m.optimizer() + ", loss " + m.loss().name() + ", metrics "
                + m.metrics().stream().map(Metric::name).toList();
    }
}

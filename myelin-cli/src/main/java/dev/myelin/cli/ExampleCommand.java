package dev.myelin.cli;

import dev.myelin.examples.CifarCnnExample;
import dev.myelin.examples.MlpExample;
import dev.myelin.examples.MnistCnnExample;
import dev.myelin.examples.TransferLearningExample;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code myelin example NAME [DATA_DIR]}: runs one of the example programs in myelin-examples. */
@Command(name = "example", mixinStandardHelpOptions = true,
        description = {"Run an example program: mlp and cnn (Fashion-MNIST; default data: the bundled subset),",
                "cnn-cifar DATA_DIR (CIFAR-10 binary batches), transfer [DATA_DIR [PRETRAIN_SAMPLES]] (transfer learning",
                "on Fashion-MNIST). Their sources are in myelin-examples/."})
public final class ExampleCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "mlp, cnn, cnn-cifar or transfer")
    String name;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments of the example (a data folder).")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> a = new ArrayList<>(args);
        switch (name) {
            case "mlp" -> {
                if (a.isEmpty()) a.add(DataLocations.bundledFashionMnist().toString());
                MlpExample.main(a.toArray(String[]::new));
            }
            case "cnn" -> {
                if (a.isEmpty()) a.add(DataLocations.bundledFashionMnist().toString());
                MnistCnnExample.main(a.toArray(String[]::new));
            }
            case "cnn-cifar" -> CifarCnnExample.main(a.toArray(String[]::new));
            case "transfer" -> {
                if (a.isEmpty()) a.add(DataLocations.bundledFashionMnist().toString());
                TransferLearningExample.main(a.toArray(String[]::new));
            }
            default -> {
                System.err.println("unknown example '" + name + "'; expected mlp, cnn, cnn-cifar or transfer");
                return 2;
            }
        }
        return 0;
    }
}

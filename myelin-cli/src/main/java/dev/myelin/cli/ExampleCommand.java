package dev.myelin.cli;

import dev.myelin.examples.CifarCnnExample;
import dev.myelin.examples.MlpExample;
import dev.myelin.examples.MnistCnnExample;
import dev.myelin.examples.TransferLearningExample;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code myelin example NAME [DATA_DIR]}: runs one of the example programs in myelin-examples. */
@Command(name = "example", mixinStandardHelpOptions = true,
        description = {"Run an example program: mlp and cnn (Fashion-MNIST; default data: the bundled subset),",
                "cnn-cifar DATA_DIR (CIFAR-10 binary batches), transfer [DATA_DIR [PRETRAIN_SAMPLES]] (transfer learning",
                "on Fashion-MNIST). --epochs and --seed apply to mlp, cnn and cnn-cifar. Their sources are in myelin-examples/."})
public final class ExampleCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "mlp, cnn, cnn-cifar or transfer")
    String name;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments of the example (a data folder).")
    List<String> args = new ArrayList<>();

    @Option(names = "--epochs", description = "Epochs of mlp, cnn and cnn-cifar (default: the example's own, 5, 5 and 10).")
    Integer epochs;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the initial weights and the shuffling of mlp, cnn and cnn-cifar (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        List<String> a = new ArrayList<>(args);
        if (epochs != null) OptionChecks.atLeast("--epochs", epochs, 1);
        if (!name.equals("transfer") && a.size() > 1) {
            throw new IllegalArgumentException("example " + name + " takes one argument, the data folder; give --epochs and --seed as options");
        }
        switch (name) {
            case "mlp" -> {
                if (a.isEmpty()) a.add(DataLocations.bundledFashionMnist().toString());
                MlpExample.main(withRun(a, MlpExample.EPOCHS));
            }
            case "cnn" -> {
                if (a.isEmpty()) a.add(DataLocations.bundledFashionMnist().toString());
                MnistCnnExample.main(withRun(a, MnistCnnExample.EPOCHS));
            }
            case "cnn-cifar" -> {
                if (a.isEmpty()) throw new IllegalArgumentException("example cnn-cifar needs the CIFAR-10 folder: myelin example cnn-cifar DATA_DIR");
                CifarCnnExample.main(withRun(a, CifarCnnExample.EPOCHS));
            }
            case "transfer" -> {
                if (epochs != null) throw new IllegalArgumentException("example transfer takes no --epochs (it trains for a fixed recipe)");
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

    /** The example's arguments: the data folder, the epochs, the seed. */
    private String[] withRun(List<String> a, int defaultEpochs) {
        return new String[] {a.get(0), String.valueOf(epochs != null ? epochs : defaultEpochs), String.valueOf(seed)};
    }
}

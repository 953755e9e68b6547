package dev.myelin.cli;

import dev.myelin.data.FashionMnist;
import dev.myelin.data.TrainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code myelin spark-data fashion-mnist --out DIR}: a data set as Parquet, for spark-train and spark-predict. */
@Command(name = "spark-data", mixinStandardHelpOptions = true,
        description = {"Write a data set as Parquet with Apache Spark, as the input of spark-train and spark-predict.",
                "fashion-mnist: the IDX files of --data become OUT/train.parquet and OUT/test.parquet, each row a features column (the 784 pixels",
                "as array<float> scaled to [0, 1]) and a label column (the class id as int). Runs in local mode unless --master names a cluster."})
public final class SparkDataCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DATASET", description = "The data set to write: fashion-mnist.")
    String dataset;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write train.parquet and test.parquet into (they must not exist).")
    Path out;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST IDX folder (default: /usr/share/datasets/fashion-mnist when present, else the bundled subset).")
    Path data;

    @Option(names = "--limit", defaultValue = "0", description = "Write only the first N training and N test rows (default: all).")
    int limit;

    @Option(names = "--master", defaultValue = "local[2]", description = "Spark master URL (default: ${DEFAULT-VALUE}).")
    String master;

    @Override
    public Integer call() throws Exception {
        if (!dataset.equals("fashion-mnist")) throw new IllegalArgumentException("unknown data set '" + dataset + "'; spark-data writes: fashion-mnist");
        OptionChecks.atLeast("--limit", limit, 0);
        Path source = data != null ? data : Files.isDirectory(DataLocations.FASHION_DEBIAN) ? DataLocations.FASHION_DEBIAN : DataLocations.bundledFashionMnist();
        Path train = out.resolve("train.parquet"), test = out.resolve("test.parquet");
        for (Path p : new Path[] {train, test}) if (Files.exists(p)) throw new IllegalArgumentException(p + " already exists");
        TrainTest mnist = FashionMnist.load(source);
        var trainSet = limit > 0 && limit < mnist.train().size() ? mnist.train().slice(0, limit) : mnist.train();
        var testSet = limit > 0 && limit < mnist.test().size() ? mnist.test().slice(0, limit) : mnist.test();
        long t0 = System.nanoTime();
        java.util.Map<Path, dev.myelin.data.Dataset> sets = new java.util.LinkedHashMap<>();
        sets.put(train, trainSet);
        sets.put(test, testSet);
        SparkJobs.writeImages(master, sets);
        System.out.printf(java.util.Locale.ROOT, "wrote %d rows to %s and %d rows to %s from %s (%.1f s)%n",
                trainSet.size(), train, testSet.size(), test, source, (System.nanoTime() - t0) * 1e-9);
        return 0;
    }
}

package dev.myelin.bench;

import dev.myelin.backend.Backend;
import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.FloatStorage;
import dev.myelin.backend.ReduceOp;
import dev.myelin.backend.ReferenceBackend;
import dev.myelin.backend.UnaryOp;
import dev.myelin.backend.View;
import dev.myelin.backend.cpu.CpuBackend;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Element-wise, reduction and softmax kernels on a [128, 1024] float32 matrix, CpuBackend against the
 * scalar ReferenceBackend. Run, for example:
 * <pre>
 * ./mvnw -q -o -pl myelin-core,myelin-bench -DskipTests package dependency:build-classpath \
 *     -Dmdep.outputFile=target/cp.txt
 * java --add-modules jdk.incubator.vector -cp myelin-bench/target/classes:$(cat myelin-bench/target/cp.txt) \
 *     org.openjdk.jmh.Main ElementwiseJmh
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ElementwiseJmh {
    private static final int ROWS = 128, COLS = 1024;

    @Param({"cpu-vector", "reference"})
    public String backend;

    private Backend be;
    private View a, b, bias, out, rowOut, colOut;

    @Setup
    public void setUp() {
        be = backend.equals("reference") ? new ReferenceBackend() : new CpuBackend();
        SplittableRandom rnd = new SplittableRandom(1);
        a = matrix(rnd);
        b = matrix(rnd);
        out = matrix(rnd);
        float[] biasData = new float[COLS];
        for (int i = 0; i < COLS; i++) biasData[i] = (float) rnd.nextGaussian();
        bias = new View(new FloatStorage(biasData), new int[] {ROWS, COLS}, new int[] {0, 1}, 0);
        rowOut = new View(new FloatStorage(new float[ROWS]), new int[] {ROWS, 1}, new int[] {1, 1}, 0);
        colOut = new View(new FloatStorage(new float[COLS]), new int[] {1, COLS}, new int[] {COLS, 1}, 0);
    }

    private static View matrix(SplittableRandom rnd) {
        float[] d = new float[ROWS * COLS];
        for (int i = 0; i < d.length; i++) d[i] = (float) (rnd.nextGaussian() * 3);
        return new View(new FloatStorage(d), new int[] {ROWS, COLS}, new int[] {COLS, 1}, 0);
    }

    @Benchmark
    public View add() {
        be.binary(BinaryOp.ADD, a, b, out);
        return out;
    }

    @Benchmark
    public View biasAdd() {
        be.binary(BinaryOp.ADD, a, bias, out);
        return out;
    }

    @Benchmark
    public View exp() {
        be.unary(UnaryOp.EXP, 0, 0, a, out);
        return out;
    }

    @Benchmark
    public View sigmoid() {
        be.unary(UnaryOp.SIGMOID, 0, 0, a, out);
        return out;
    }

    @Benchmark
    public View rowSum() {
        be.reduce(ReduceOp.SUM, a, rowOut);
        return rowOut;
    }

    @Benchmark
    public View columnSum() {
        be.reduce(ReduceOp.SUM, a, colOut);
        return colOut;
    }

    @Benchmark
    public View softmax() {
        be.softmax(a, out, false);
        return out;
    }
}

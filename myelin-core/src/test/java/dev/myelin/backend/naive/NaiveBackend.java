package dev.myelin.backend.naive;

import dev.myelin.backend.Backend;
import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.DType;
import dev.myelin.backend.ReduceOp;
import dev.myelin.backend.ReferenceBackend;
import dev.myelin.backend.Storage;
import dev.myelin.backend.UnaryOp;
import dev.myelin.backend.View;

/**
 * A deliberately naive backend, used only in tests, that proves a new backend needs no edits in the core:
 * it lives in a package of its own, keeps elements in a storage type of its own ({@link NaiveStorage}),
 * implements only the primitives of {@link Backend} (delegated to the scalar {@link ReferenceBackend},
 * which reads and writes any storage through {@link Storage#get}/{@link Storage#set}), and so runs every
 * fused kernel (convolution, pooling, softmax, Adam) through the defaults composed from the primitives,
 * and recurrent layers through their composed tensor path (it offers no fused recurrence).
 */
public final class NaiveBackend implements Backend {
    private final ReferenceBackend primitives = new ReferenceBackend();

    @Override
    public String name() {
        return "naive-test";
    }

    @Override
    public Storage allocate(DType dtype, int length) {
        return new NaiveStorage(dtype, length);
    }

    @Override
    public Storage upload(float[] data) {
        Storage s = allocate(DType.FLOAT32, data.length);
        for (int i = 0; i < data.length; i++) s.set(i, data[i]);
        return s;
    }

    @Override
    public Storage upload(double[] data) {
        Storage s = allocate(DType.FLOAT64, data.length);
        for (int i = 0; i < data.length; i++) s.set(i, data[i]);
        return s;
    }

    @Override
    public void download(View src, float[] dst) {
        for (int i = 0; i < dst.length; i++) dst[i] = (float) src.storage().get(src.indexOfLinear(i));
    }

    @Override
    public void download(View src, double[] dst) {
        for (int i = 0; i < dst.length; i++) dst[i] = src.storage().get(src.indexOfLinear(i));
    }

    @Override
    public void copy(View src, View dst) {
        primitives.copy(src, dst);
    }

    @Override
    public void fill(View dst, double value) {
        primitives.fill(dst, value);
    }

    @Override
    public void unary(UnaryOp op, double p, double q, View x, View out) {
        primitives.unary(op, p, q, x, out);
    }

    @Override
    public void binary(BinaryOp op, View a, View b, View out) {
        primitives.binary(op, a, b, out);
    }

    @Override
    public void where(View cond, View a, View b, View out) {
        primitives.where(cond, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, View x, View out) {
        primitives.reduce(op, x, out);
    }

    @Override
    public void argReduce(ReduceOp op, View x, int axis, View out) {
        primitives.argReduce(op, x, axis, out);
    }

    @Override
    public void matmul(View a, View b, View out) {
        primitives.matmul(a, b, out);
    }

    @Override
    public void indexSelect(View x, int axis, int[] indices, View out) {
        primitives.indexSelect(x, axis, indices, out);
    }

    @Override
    public void indexAdd(View src, int axis, int[] indices, View dst) {
        primitives.indexAdd(src, axis, indices, dst);
    }
}

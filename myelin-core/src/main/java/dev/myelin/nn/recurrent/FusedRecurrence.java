package dev.myelin.nn.recurrent;

import dev.myelin.backend.RecurrenceKernel;
import dev.myelin.backend.View;
import dev.myelin.tensor.Backward;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * The recurrence of {@link SimpleRNN}, {@link LSTM} and {@link GRU} as one recorded operation, run by the
 * backend's {@link RecurrenceKernel} when it offers one (the CPU backend does for float32): this class
 * only allocates the tensors on the operands' backend and attaches the kernel's backward through time
 * to the graph.
 */
final class FusedRecurrence {
    enum Cell {
        SIMPLE(RecurrenceKernel.Cell.SIMPLE), LSTM(RecurrenceKernel.Cell.LSTM), GRU(RecurrenceKernel.Cell.GRU);
        final RecurrenceKernel.Cell kernel;
        final int gates;

        Cell(RecurrenceKernel.Cell kernel) {
            this.kernel = kernel;
            this.gates = kernel.gates();
        }
    }

    private FusedRecurrence() {}

    /**
     * @param xp   {@code [B, T, G·U]} input projections (input bias included)
     * @param u    {@code [U, G·U]} recurrent kernel
     * @param br   GRU's recurrent bias {@code [3·U]}, or null
     * @param h0   {@code [B, U]} initial state
     * @param c0   {@code [B, U]} initial cell state (LSTM), or null
     * @param mask {@code [B, T]}, nonzero for steps to compute, or null
     * @param rdm  {@code [B, U]} recurrent dropout multipliers, or null
     * @return {@code [B, T, P·U]}: output | h | c per step; null when the backend of {@code xp} has no
     *     fused recurrence for its type
     */
    static Tensor run(Cell cell, Tensor xp, Tensor u, Tensor br, Tensor h0, Tensor c0, Tensor mask, Tensor rdm) {
        RecurrenceKernel kernel = xp.backend().recurrence(xp.dtype());
        if (kernel == null) return null;
        int batch = xp.dim(0), steps = xp.dim(1), units = u.dim(0);
        Tensor packed = xp.newZeros(Shape.of(batch, steps, cell.kernel.packed() * units));
        RecurrenceKernel.Steps saved = kernel.forward(cell.kernel, xp.view(), u.view(), view(br), h0.view(), view(c0),
                view(mask), view(rdm), packed.view());
        Backward rule = g -> {
            Tensor dxp = xp.newZeros(xp.shape());
            Tensor du = xp.newZeros(u.shape());
            Tensor dbr = br == null ? null : xp.newZeros(br.shape());
            Tensor dh0 = xp.newZeros(h0.shape());
            Tensor dc0 = c0 == null ? null : xp.newZeros(c0.shape());
            saved.backward(g.view(), dxp.view(), du.view(), view(dbr), dh0.view(), view(dc0));
            return br != null ? new Tensor[] {dxp, du, dbr, dh0} : c0 != null ? new Tensor[] {dxp, du, dh0, dc0} : new Tensor[] {dxp, du, dh0};
        };
        Tensor[] inputs = br != null ? new Tensor[] {xp, u, br, h0} : c0 != null ? new Tensor[] {xp, u, h0, c0} : new Tensor[] {xp, u, h0};
        return Tensor.fusedResult(cell.name().toLowerCase() + "_fused", packed, rule, inputs);
    }

    private static View view(Tensor t) {
        return t == null ? null : t.view();
    }
}

package dev.myelin.backend;

/**
 * How a GEMM reads a matrix view in place: row-major with leading dimension {@code ld} (the row stride),
 * or, {@code transposed}, column-major with leading dimension the column stride (a transposed view of a
 * row-major matrix). The one rule for which strided matrices need no copy before a matrix product:
 * {@code Tensor.matmul} copies operands for which {@link #of} is null, and the CPU backend hands the
 * layout to SGEMM.
 */
public record GemmLayout(boolean transposed, int ld) {

    /**
     * The layout of a {@code rows × cols} matrix with these strides (in elements), or null when it is
     * neither row- nor column-major with a leading dimension at least the row (column) length. A single
     * row or column has a free stride on its size-1 axis.
     */
    public static GemmLayout of(int rows, int cols, int rowStride, int colStride) {
        if (colStride == 1 || cols == 1) {
            int ld = rows == 1 ? Math.max(cols, 1) : rowStride;
            if (ld >= cols) return new GemmLayout(false, ld);
        }
        if (rowStride == 1 || rows == 1) {
            int ld = cols == 1 ? Math.max(rows, 1) : colStride;
            if (ld >= rows) return new GemmLayout(true, ld);
        }
        return null;
    }

    /** The layout of the matrices of a rank-3 {@code [batch, rows, cols]} view, or null. */
    public static GemmLayout of(View v) {
        return of(v.shape()[1], v.shape()[2], v.strides()[1], v.strides()[2]);
    }
}

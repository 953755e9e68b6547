/**
 * The CPU backend on the Vector API (not exported; reached through {@link dev.myelin.backend.Backend}):
 * SGEMM with register and cache blocking chosen for the machine ({@code Sgemm}, {@code CpuCaches}),
 * convolution by im2col + SGEMM or a direct kernel, pooling, softmax, batch normalization, the fused
 * recurrence of LSTM/GRU, optimizer updates, and a thread pool whose work splits do not depend on the
 * thread count, so results are bit-identical on 1 or N threads ({@code Parallel}, {@code RowLoop}).
 * {@code MYELIN_NUM_THREADS} sets the number of threads.
 */
package dev.myelin.backend.cpu;

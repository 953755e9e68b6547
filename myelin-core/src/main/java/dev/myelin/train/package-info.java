/**
 * The training loop: {@link dev.myelin.train.Trainer} drives anything that is
 * {@link dev.myelin.train.Trainable} (a model, a GAN) through epochs of a data loader with
 * {@link dev.myelin.train.FitOptions}, calling {@link dev.myelin.train.Callback}s: the progress bar,
 * {@link dev.myelin.train.History} (with {@link dev.myelin.train.HistoryPlot} for PNG curves), early
 * stopping, learning-rate reduction, checkpoints, CSV logs, NaN termination, and
 * {@link dev.myelin.train.BackupAndRestore}, which resumes an interrupted run exactly.
 *
 * <pre>{@code
 * History h = model.fit(x, y, FitOptions.epochs(5).batchSize(32).validationSplit(0.1)
 *         .callbacks(new EarlyStopping("val_loss").patience(2)));
 * h.plot(Path.of("curves.png"));
 * }</pre>
 */
package dev.myelin.train;

/**
 * A live training dashboard: {@link dev.myelin.dashboard.TrainingDashboard} is a callback that serves a page
 * on the loopback address (the JDK's HTTP server) with the loss and metric curves, learning rate,
 * throughput, the model summary, weight and gradient norms per layer and sample predictions, and leaves a
 * self-contained {@code report.html} when training ends.
 */
package dev.myelin.dashboard;

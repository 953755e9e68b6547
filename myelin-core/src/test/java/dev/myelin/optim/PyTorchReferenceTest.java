package dev.myelin.optim;

import static dev.myelin.testing.TensorAssert.assertAllClose;

import dev.myelin.backend.DType;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The nine {@link Quadratic} weights after {@value #STEPS} steps, computed once with PyTorch 1.13 in
 * float64 and pasted here; Myelin (float64 and float32) and the test's own {@link KerasReference} must
 * reproduce them. Where PyTorch's algorithm differs from Keras's it was configured to coincide:
 * <ul>
 *   <li>Adam, AdamW: PyTorch adds epsilon to {@code sqrt(v / (1 - beta2^t))}, Keras to {@code sqrt(v)}
 *       with the bias correction folded into the step, so before each step PyTorch's {@code eps} was set
 *       to {@code 1e-3 / sqrt(1 - beta2^t)}, which makes the updates equal to Keras's with epsilon 1e-3.
 *       AdamW's decay {@code w *= 1 - lr * wd} is Keras's {@code w -= w * wd * lr}.</li>
 *   <li>RMSprop, Adagrad: PyTorch adds epsilon outside the square root, Keras inside, so both use
 *       epsilon 0 here (the epsilon term is covered against Keras's equations in {@link TrajectoryTest}).</li>
 *   <li>SGD and RMSprop momentum: PyTorch keeps {@code buf} with the learning rate applied afterwards,
 *       Keras keeps {@code -lr * buf} (SGD) or {@code lr * buf} (RMSprop); equal for a constant rate.</li>
 * </ul>
 * The script (python3, torch 1.13):
 * <pre>
 * import torch, math
 * torch.set_default_dtype(torch.float64)
 * W1 = [[0.5, -1.2, 2.0], [0.03, -0.4, 1.5]]; A1 = [[1.0, 3.0, 0.5], [10.0, 0.2, 2.0]]; B1 = [[0.1, 0.4, -1.0], [0.0, -0.5, 0.3]]
 * W2 = [0.2, -0.1, 0.05]; A2 = [4.0, 1.0, 0.5]; B2 = [1.0, 0.0, -0.3]
 * def run(make, per_step=None):
 *     w1 = torch.tensor(W1, requires_grad=True); w2 = torch.tensor(W2, requires_grad=True)
 *     a1, b1, a2, b2 = map(torch.tensor, (A1, B1, A2, B2))
 *     opt = make([w1, w2])
 *     for t in range(1, 9):
 *         opt.zero_grad()
 *         loss = 0.5 * (a1 * (w1 - b1) ** 2).sum() + 0.5 * (a2 * (w2 - b2) ** 2).sum()
 *         loss.backward()
 *         if per_step: per_step(opt, t)
 *         opt.step()
 *     return w1.detach().flatten().tolist() + w2.detach().tolist()
 * def keras_eps(eps, beta2):
 *     def f(opt, t):
 *         for g in opt.param_groups: g['eps'] = eps / math.sqrt(1 - beta2 ** t)
 *     return f
 * SGD_MOMENTUM = run(lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9))
 * SGD_NESTEROV = run(lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True))
 * ADAM = run(lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.9, 0.999)), keras_eps(1e-3, 0.999))
 * ADAM_AMSGRAD = run(lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.8, 0.99), amsgrad=True), keras_eps(1e-3, 0.99))
 * ADAMW = run(lambda p: torch.optim.AdamW(p, lr=0.1, betas=(0.9, 0.999), weight_decay=0.1), keras_eps(1e-3, 0.999))
 * RMSPROP = run(lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0))
 * RMSPROP_CENTERED_MOMENTUM = run(lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0, momentum=0.5, centered=True))
 * ADAGRAD = run(lambda p: torch.optim.Adagrad(p, lr=0.1, initial_accumulator_value=0.1, eps=0.0))
 * </pre>
 */
class PyTorchReferenceTest {
    static final int STEPS = 8;

    // w1 (row-major), then w2, after 8 steps
    private static final double[] SGD_MOMENTUM = {
        0.07298542198437502, 1.4469092578125, 0.13757241659164404, 0.020591544000000003, -0.4271244555763833,
        -0.3638682240000003, 1.418252528, 0.006753644503906252, -0.16728321806430818};
    private static final double[] SGD_NESTEROV = {
        0.0634467078902216, 0.9459005632365777, -0.042639628770892515, 0.0012423752800781254, -0.4310543047343156,
        -0.17279272107075969, 1.1424373759292212, 0.009138323027444599, -0.18830795668993744};
    private static final double[] ADAM = {
        -0.06716348032975734, -0.4199549491845011, 1.2165862874754996, -0.03213171115105688, -0.5340845970290843,
        0.7324748378073459, 0.9411233182770724, -0.04029429417354675, -0.45685988091894586};
    private static final double[] ADAM_AMSGRAD = {
        -0.02563126161742034, -0.42992975895333485, 1.2162027025430067, -0.022534036056886586, -0.4687021231239932,
        0.7451335242840653, 0.9172162935720163, -0.03137321851159873, -0.41592105816690783};
    private static final double[] ADAMW = {
        -0.0689171971486198, -0.3568363052097178, 1.0907122581649127, -0.031406183196922836, -0.5278656209210077,
        0.6493059028183178, 0.9033238379420888, -0.04000348326934097, -0.4444797133859389};
    private static final double[] RMSPROP = {
        0.3624361325894048, -1.0542534967148114, 1.8531096745600262, 1.786306391001598e-07, -0.49287619937207505,
        1.3550910353196528, 0.34318144097868886, -0.007123800627924934, -0.08583575232971802};
    private static final double[] RMSPROP_CENTERED_MOMENTUM = {
        0.22861238804178322, -0.8856104732589372, 1.6802320398830481, -0.0005590679709782933, -0.5008604531744889,
        1.1896692172897576, 0.5016592850547569, 0.0008604531744889723, -0.2117526244546729};
    private static final double[] ADAGRAD = {
        0.2098388727120325, -0.787885539614984, 1.5796325499321167, 0.0004604356369351996, -0.4404893942576375,
        1.0981056899232204, 0.5832479188171671, -0.006309878811227128, -0.17208685825052306};

    static Stream<Arguments> cases() {
        return Stream.of(
                c("SGD momentum", () -> new SGD(0.05).momentum(0.9), KerasReference.sgd(0.05, 0.9, false, 0, STEPS), SGD_MOMENTUM),
                c("SGD nesterov", () -> new SGD(0.05).momentum(0.9).nesterov(true), KerasReference.sgd(0.05, 0.9, true, 0, STEPS),
                        SGD_NESTEROV),
                c("Adam", () -> new Adam(0.1).epsilon(1e-3), KerasReference.adam(0.1, 0.9, 0.999, 1e-3, false, 0, STEPS), ADAM),
                c("Adam amsgrad", () -> new Adam(0.1).beta1(0.8).beta2(0.99).epsilon(1e-3).amsgrad(true),
                        KerasReference.adam(0.1, 0.8, 0.99, 1e-3, true, 0, STEPS), ADAM_AMSGRAD),
                c("AdamW", () -> new AdamW(0.1, 0.1).epsilon(1e-3), KerasReference.adam(0.1, 0.9, 0.999, 1e-3, false, 0.1, STEPS), ADAMW),
                c("RMSprop", () -> new RMSprop(0.01).epsilon(0), KerasReference.rmsprop(0.01, 0.9, 0, 0, false, 0, STEPS), RMSPROP),
                c("RMSprop centered momentum", () -> new RMSprop(0.01).epsilon(0).momentum(0.5).centered(true),
                        KerasReference.rmsprop(0.01, 0.9, 0.5, 0, true, 0, STEPS), RMSPROP_CENTERED_MOMENTUM),
                c("Adagrad", () -> new Adagrad(0.1).epsilon(0), KerasReference.adagrad(0.1, 0.1, 0, 0, STEPS), ADAGRAD));
    }

    private static Arguments c(String name, Supplier<Optimizer> optimizer, double[][] keras, double[] torch) {
        return Arguments.of(name, optimizer, keras[STEPS - 1], torch);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void float64MatchesPyTorch(String name, Supplier<Optimizer> optimizer, double[] keras, double[] torch) {
        assertAllClose(Quadratic.run(optimizer.get(), DType.FLOAT64, STEPS)[STEPS - 1], torch, 1e-10, 1e-12);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void float32MatchesPyTorch(String name, Supplier<Optimizer> optimizer, double[] keras, double[] torch) {
        assertAllClose(Quadratic.run(optimizer.get(), DType.FLOAT32, STEPS)[STEPS - 1], torch, 5e-5, 5e-6);
    }

    /** Checks the test's own reference: Keras's equations, configured as above, give PyTorch's numbers. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void kerasEquationsMatchPyTorch(String name, Supplier<Optimizer> optimizer, double[] keras, double[] torch) {
        assertAllClose(keras, torch, 1e-10, 1e-12);
    }
}

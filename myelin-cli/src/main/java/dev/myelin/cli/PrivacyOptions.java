package dev.myelin.cli;

import dev.myelin.privacy.PrivacySettings;
import picocli.CommandLine.Option;

/** {@code train}'s differential-privacy options (a picocli mixin): DP-SGD with a target budget. */
final class PrivacyOptions {
    @Option(names = "--dp-epsilon", paramLabel = "EPS", description = "Train with DP-SGD (per-example clipping, Gaussian noise, Poisson-sampled"
            + " batches of expected size --batch-size) and choose the noise for this privacy budget epsilon over the whole run; prints the budget spent.")
    Double epsilon;

    @Option(names = "--dp-clip", paramLabel = "C", description = "DP-SGD: clip each example's gradient to this L2 norm (default: 1.0).")
    Double clip;

    @Option(names = "--dp-delta", paramLabel = "DELTA", description = "DP-SGD: the delta of the (epsilon, delta) guarantee, well below 1/N (default: 1e-5).")
    Double delta;

    /** The settings, or null without {@code --dp-epsilon}; {@code seed} seeds the noise. */
    PrivacySettings settings(long seed) {
        if (epsilon == null) {
            if (clip != null || delta != null) throw new IllegalArgumentException((clip != null ? "--dp-clip" : "--dp-delta") + " needs --dp-epsilon EPS, the privacy budget to train for");
            return null;
        }
        OptionChecks.positive("--dp-epsilon", epsilon);
        if (clip != null) OptionChecks.positive("--dp-clip", clip);
        if (delta != null && !(delta > 0 && delta < 1)) throw new IllegalArgumentException("--dp-delta must be in (0, 1), got " + delta);
        return PrivacySettings.targetEpsilon(epsilon).clipNorm(clip == null ? 1.0 : clip).delta(delta == null ? 1e-5 : delta).seed(seed);
    }
}

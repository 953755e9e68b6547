package dev.myelin.multimodal;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Short texts that describe each class of a labelled image set, several wordings per class: the captions
 * a dual encoder is trained on when the images carry class labels only, and the prompts of zero-shot
 * classification. {@link #fashionMnist()} holds six wordings for each Fashion-MNIST class.
 *
 * <p>Example: {@code String caption = ClassDescriptions.fashionMnist().sample(7, rng);   // "a sports shoe", say}
 *
 * @param byClass the descriptions of class {@code c} at index {@code c}; every class needs one or more
 */
public record ClassDescriptions(List<List<String>> byClass) {
    /**
     * @throws IllegalArgumentException for no classes, a class without descriptions (naming it), or a blank description
     */
    public ClassDescriptions {
        if (byClass == null || byClass.isEmpty()) throw new IllegalArgumentException("class descriptions: no classes given");
        List<List<String>> copy = new ArrayList<>();
        for (int c = 0; c < byClass.size(); c++) {
            List<String> texts = byClass.get(c);
            if (texts == null || texts.isEmpty()) {
                throw new IllegalArgumentException("class descriptions: class " + c + " has no description; every class needs at least one"
                        + " (zero-shot classification compares an image with the descriptions of every class)");
            }
            for (String t : texts) {
                if (t == null || t.isBlank()) throw new IllegalArgumentException("class descriptions: class " + c + " has a blank description");
            }
            copy.add(List.copyOf(texts));
        }
        byClass = List.copyOf(copy);
    }

    /** The number of classes. */
    public int classes() {
        return byClass.size();
    }

    /** The descriptions of class {@code c}. */
    public List<String> of(int c) {
        if (c < 0 || c >= byClass.size()) throw new IllegalArgumentException("class descriptions: class " + c + " is not in [0, " + byClass.size() + ")");
        return byClass.get(c);
    }

    /** One of class {@code c}'s descriptions, drawn uniformly. */
    public String sample(int c, RandomGenerator rng) {
        List<String> texts = of(c);
        return texts.get(rng.nextInt(texts.size()));
    }

    /** A caption for each label, each drawn uniformly from its class's descriptions. */
    public List<String> captions(int[] labels, RandomGenerator rng) {
        List<String> out = new ArrayList<>(labels.length);
        for (int label : labels) out.add(sample(label, rng));
        return out;
    }

    /** Every description, class by class (the retrieval gallery of {@link ZeroShot}). */
    public List<String> all() {
        List<String> out = new ArrayList<>();
        for (List<String> texts : byClass) out.addAll(texts);
        return out;
    }

    /** The class of each text of {@link #all()}. */
    public int[] classOfEach() {
        int[] out = new int[all().size()];
        int i = 0;
        for (int c = 0; c < byClass.size(); c++) for (int k = 0; k < byClass.get(c).size(); k++) out[i++] = c;
        return out;
    }

    /** Six wordings for each Fashion-MNIST class, in the order of {@code FashionMnist.CLASS_NAMES}. */
    public static ClassDescriptions fashionMnist() {
        return new ClassDescriptions(List.of(
                List.of("a photo of a t-shirt", "a short sleeved top", "a casual tee", "a cotton t-shirt with short sleeves",
                        "a plain top to wear", "a summer tee shirt"),
                List.of("a photo of trousers", "a pair of pants", "long trousers for the legs", "a pair of jeans",
                        "slacks with two legs", "pants to wear"),
                List.of("a photo of a pullover", "a warm knitted sweater", "a jumper with long sleeves", "a wool pullover",
                        "a cosy sweater", "a knit jumper for winter"),
                List.of("a photo of a dress", "a long dress", "a summer dress for a woman", "an elegant gown",
                        "a one piece dress", "a dress to wear at a party"),
                List.of("a photo of a coat", "a warm winter coat", "a jacket with buttons", "an overcoat for the cold",
                        "a long coat with a zip", "outerwear jacket"),
                List.of("a photo of a sandal", "an open summer shoe", "a sandal with straps", "footwear for the beach",
                        "a light open sandal", "a flip flop"),
                List.of("a photo of a shirt", "a button down shirt", "a shirt with a collar", "a formal shirt",
                        "a long sleeved blouse", "a work shirt with buttons"),
                List.of("a photo of a sneaker", "a sports shoe", "footwear for running", "a trainer shoe",
                        "a low athletic shoe", "a running sneaker"),
                List.of("a photo of a bag", "a handbag", "a leather purse", "a bag to carry things",
                        "a tote bag with handles", "a shoulder bag"),
                List.of("a photo of an ankle boot", "a short boot", "a boot that covers the ankle", "a leather ankle boot",
                        "a heeled boot", "winter boots for the feet")));
    }
}

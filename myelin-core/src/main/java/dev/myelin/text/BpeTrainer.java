package dev.myelin.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Learns a byte-level BPE vocabulary from texts, as Hugging Face's {@code BpeTrainer}: cut every text into
 * pieces (GPT-2's pattern), count the distinct pieces, spell each as its UTF-8 bytes, then repeatedly join
 * the most frequent adjacent pair of tokens (counted over all pieces, each weighted by how often it occurs)
 * into a new token, until the vocabulary has {@code vocabularySize} tokens.
 *
 * <p><b>Ties</b>: among pairs with the same count, the pair whose left id is smallest wins, then the
 * smallest right id. Ids grow in the order tokens appear (specials, bytes in byte order, merges in the
 * order learned), so the result depends on the texts and options only, never on hash or thread order.
 *
 * <p><b>Stopping early</b>: training stops before {@code vocabularySize} when no pair is left (every piece is
 * one token) or the most frequent pair occurs fewer than {@link #minPairCount} times; the tokenizer is then
 * smaller, {@link #summary()} says why, and a warning goes to standard error. A pair whose joined spelling
 * equals a special token's text (such as {@code <pad>} learned from texts that contain it) is never
 * merged: a {@code tokenizer.json} vocabulary maps each spelling to one id.
 *
 * <p><b>Cost</b>: pairs are counted once; each merge then visits only the pieces that hold the pair (an
 * index from pair to pieces, updated as merges create pairs), adjusts the counts of the pairs around each
 * occurrence, and pushes the changed pairs on a priority queue whose stale entries are skipped or re-queued
 * with their current count when they come up. Time grows with the corpus's distinct pieces and the
 * occurrences merged, not with vocabulary × corpus.
 *
 * <p>Example:
 * <pre>{@code
 * BpeTrainer trainer = new BpeTrainer(4_000).specialTokens(List.of("<pad>", "<unk>", "<bos>", "<eos>"));
 * BpeTokenizer bpe = trainer.train(texts);
 * System.out.println(trainer.summary());
 * }</pre>
 */
public final class BpeTrainer {
    /** What one training run did. {@code stopReason} is null when the vocabulary reached the size asked for. */
    public record Summary(int requestedSize, int vocabularySize, int merges, int distinctPieces, long pieces, String stopReason, double seconds) {
        public boolean reachedRequestedSize() {
            return stopReason == null;
        }
    }

    private final int vocabularySize;
    private List<String> specialTokens = BpeTokenizer.DEFAULT_SPECIAL_TOKENS;
    private int minPairCount = 2;
    private boolean warn = true;
    private Summary summary;

    /**
     * @param vocabularySize the tokens wanted, special tokens and the 256 bytes included, at most
     *     {@link BpeTokenizer#MAX_VOCABULARY_SIZE}
     */
    public BpeTrainer(int vocabularySize) {
        if (vocabularySize < 256 || vocabularySize > BpeTokenizer.MAX_VOCABULARY_SIZE) {
            throw new IllegalArgumentException("vocabularySize must be in [256 + special tokens, " + BpeTokenizer.MAX_VOCABULARY_SIZE + "], got " + vocabularySize);
        }
        this.vocabularySize = vocabularySize;
    }

    /**
     * The special tokens, ids {@code 0..n-1} in this order (default {@link BpeTokenizer#DEFAULT_SPECIAL_TOKENS};
     * an empty list for none). Each must be non-empty, well-formed text, distinct, and not a single byte
     * character of GPT-2's spelling ({@code "!"} would be spelled like the byte token for {@code !}).
     */
    public BpeTrainer specialTokens(List<String> tokens) {
        Set<String> seen = new HashSet<>();
        for (String t : tokens) {
            Objects.requireNonNull(t, "special token");
            if (t.isEmpty()) throw new IllegalArgumentException("special tokens must not be empty: " + tokens);
            if (!seen.add(t)) throw new IllegalArgumentException("special token " + BpeTokenizer.quote(t) + " is listed twice");
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                boolean paired = Character.isHighSurrogate(c) ? i + 1 < t.length() && Character.isLowSurrogate(t.charAt(++i)) : !Character.isLowSurrogate(c);
                if (!paired) throw new IllegalArgumentException("special token " + BpeTokenizer.quote(t) + " holds a lone surrogate at index " + i);
            }
            byte[] spelled = ByteLevel.bytes(t);
            if (spelled != null && spelled.length == 1) {
                throw new IllegalArgumentException("special token " + BpeTokenizer.quote(t) + " is spelled like the token of byte " + (spelled[0] & 0xFF)
                        + "; choose a longer name such as <" + t + ">");
            }
        }
        if (vocabularySize < 256 + tokens.size()) {
            throw new IllegalArgumentException("vocabularySize " + vocabularySize + " leaves no room for the 256 bytes and " + tokens.size() + " special tokens (at least "
                    + (256 + tokens.size()) + ")");
        }
        this.specialTokens = List.copyOf(tokens);
        return this;
    }

    /** The fewest occurrences a pair needs to be merged (default 2: a pair seen once generalizes nothing). */
    public BpeTrainer minPairCount(int value) {
        if (value < 1) throw new IllegalArgumentException("minPairCount must be at least 1, got " + value);
        this.minPairCount = value;
        return this;
    }

    /** Whether stopping early prints a warning on standard error (default true). */
    public BpeTrainer warnWhenSmaller(boolean value) {
        this.warn = value;
        return this;
    }

    /** What the last {@link #train} did, or null before it. */
    public Summary summary() {
        return summary;
    }

    /**
     * Learns the merges from {@code texts}.
     *
     * @throws IllegalArgumentException when {@code texts} is empty or {@code vocabularySize} is below 256 plus
     *     the special tokens
     */
    public BpeTokenizer train(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        if (texts.isEmpty()) throw new IllegalArgumentException("cannot train a tokenizer on no texts (the list is empty)");
        int specials = specialTokens.size();
        if (vocabularySize < 256 + specials) {
            throw new IllegalArgumentException("vocabularySize " + vocabularySize + " leaves no room for the 256 bytes and " + specials + " special tokens (at least "
                    + (256 + specials) + ")");
        }
        long started = System.nanoTime();

        // 1. Distinct pieces and how often each occurs.
        Map<String, int[]> counts = new HashMap<>();
        long pieces = 0;
        for (int t = 0; t < texts.size(); t++) {
            int at = t;
            String text = Objects.requireNonNull(texts.get(t), () -> "texts[" + at + "] is null");
            long[] n = {0};
            PreTokenizer.split(text, (s, e) -> {
                counts.computeIfAbsent(text.substring(s, e), k -> new int[1])[0]++;
                n[0]++;
            });
            pieces += n[0];
        }
        int words = counts.size();
        int[][] word = new int[words][];
        long[] freq = new long[words];
        int w = 0;
        int longest = 2;
        for (Map.Entry<String, int[]> e : counts.entrySet()) {
            byte[] b = BpeTokenizer.utf8(e.getKey(), 0, e.getKey().length());
            int[] s = new int[b.length];
            for (int i = 0; i < b.length; i++) s[i] = specials + (b[i] & 0xFF);
            word[w] = s;
            freq[w++] = e.getValue()[0];
            longest = Math.max(longest, s.length);
        }
        counts.clear();

        // 2. The vocabulary so far: specials, then the bytes.
        List<String> vocabulary = new ArrayList<>(vocabularySize);
        vocabulary.addAll(specialTokens);
        for (int b = 0; b < 256; b++) vocabulary.add(ByteLevel.spell(new byte[] {(byte) b}));
        Set<String> specialSet = new HashSet<>(specialTokens);
        List<int[]> merges = new ArrayList<>();

        // 3. Pair counts and the pieces that hold each pair.
        Pairs pairs = new Pairs(words);
        for (w = 0; w < words; w++) {
            int[] s = word[w];
            for (int j = 0; j + 1 < s.length; j++) {
                int p = pairs.index(s[j], s[j + 1]);
                pairs.count[p] += freq[w];
                pairs.addWord(p, w);
            }
        }
        PriorityQueue<Candidate> queue = new PriorityQueue<>(Math.max(16, pairs.size()));
        for (int p = 0; p < pairs.size(); p++) if (pairs.count[p] > 0) queue.add(pairs.candidate(p));

        // 4. Merge the best pair until the vocabulary is full.
        int[] visited = new int[words];
        Arrays.fill(visited, -1);
        boolean[] inMerge = new boolean[longest];
        int[] merged = new int[longest];
        int[] touched = new int[16];
        String stopReason = null;
        while (vocabulary.size() < vocabularySize) {
            Candidate best = queue.poll();
            if (best == null) {
                stopReason = "no pair of tokens is left to merge (every piece of the texts is a single token)";
                break;
            }
            int p = pairs.get(best.left, best.right);
            long current = pairs.count[p];
            if (pairs.banned[p]) continue;
            if (current != best.count) {
                if (current > 0) queue.add(pairs.candidate(p));
                continue;
            }
            if (current < minPairCount) {
                stopReason = "the most frequent pair left occurs " + current + " time" + (current == 1 ? "" : "s") + ", fewer than minPairCount " + minPairCount;
                break;
            }
            String spelled = vocabulary.get(best.left) + vocabulary.get(best.right);
            if (specialSet.contains(spelled)) {
                pairs.banned[p] = true;
                continue;
            }
            int a = best.left, b = best.right, x = vocabulary.size();
            vocabulary.add(spelled);
            merges.add(new int[] {a, b});
            int mergeIndex = merges.size() - 1;
            int touchedCount = 0;
            int[] holders = pairs.words[p];
            int holderCount = pairs.wordCount[p];
            for (int h = 0; h < holderCount; h++) {
                int v = holders[h];
                if (visited[v] == mergeIndex) continue;
                visited[v] = mergeIndex;
                int[] s = word[v];
                int length = s.length, t = 0;
                boolean changed = false;
                for (int j = 0; j < length; ) {
                    if (j + 1 < length && s[j] == a && s[j + 1] == b) {
                        inMerge[j] = inMerge[j + 1] = true;
                        merged[t++] = x;
                        j += 2;
                        changed = true;
                    } else {
                        inMerge[j] = false;
                        merged[t++] = s[j++];
                    }
                }
                if (!changed) continue; // a stale entry: an earlier merge took the pair from this piece
                long f = freq[v];
                for (int j = 0; j + 1 < length; j++) {
                    if (inMerge[j] || inMerge[j + 1]) pairs.count[pairs.index(s[j], s[j + 1])] -= f;
                }
                for (int k = 0; k + 1 < t; k++) {
                    if (merged[k] != x && merged[k + 1] != x) continue;
                    int q = pairs.index(merged[k], merged[k + 1]);
                    pairs.count[q] += f;
                    pairs.addWord(q, v);
                    if (pairs.lastTouched[q] != mergeIndex) {
                        pairs.lastTouched[q] = mergeIndex;
                        if (touchedCount == touched.length) touched = Arrays.copyOf(touched, touchedCount * 2);
                        touched[touchedCount++] = q;
                    }
                }
                word[v] = Arrays.copyOf(merged, t);
            }
            pairs.release(p);
            for (int k = 0; k < touchedCount; k++) queue.add(pairs.candidate(touched[k]));
        }

        int[] left = new int[merges.size()], right = new int[merges.size()];
        for (int r = 0; r < merges.size(); r++) {
            left[r] = merges.get(r)[0];
            right[r] = merges.get(r)[1];
        }
        boolean[] special = new boolean[vocabulary.size()];
        Arrays.fill(special, 0, specials, true);
        BpeTokenizer tokenizer = new BpeTokenizer(vocabulary, special, left, right);
        summary = new Summary(vocabularySize, vocabulary.size(), merges.size(), words, pieces, stopReason, (System.nanoTime() - started) / 1e9);
        if (stopReason != null && warn) {
            System.err.println("myelin: WARNING: BPE training stopped at " + vocabulary.size() + " of the " + vocabularySize + " tokens asked for: " + stopReason);
        }
        return tokenizer;
    }

    /** A pair to consider, best first: the highest count, then the smallest left id, then the smallest right id. */
    private record Candidate(long count, int left, int right) implements Comparable<Candidate> {
        @Override
        public int compareTo(Candidate o) {
            if (count != o.count) return Long.compare(o.count, count);
            if (left != o.left) return Integer.compare(left, o.left);
            return Integer.compare(right, o.right);
        }
    }

    /** Every pair seen so far by a dense index: its count, the pieces that may hold it, whether it is banned. */
    private static final class Pairs {
        private final PairMap index;
        private long[] keys;
        long[] count;
        int[][] words;
        int[] wordCount;
        int[] lastTouched;
        boolean[] banned;
        private int size;

        Pairs(int expected) {
            index = new PairMap(expected);
            int capacity = Math.max(16, expected);
            keys = new long[capacity];
            count = new long[capacity];
            words = new int[capacity][];
            wordCount = new int[capacity];
            lastTouched = new int[capacity];
            banned = new boolean[capacity];
        }

        int size() {
            return size;
        }

        int get(int left, int right) {
            return index.get(left, right);
        }

        int index(int left, int right) {
            int p = index.putIfAbsent(left, right, size);
            if (p == size) {
                if (size == keys.length) grow();
                keys[size] = PairMap.key(left, right);
                lastTouched[size] = -1;
                size++;
            }
            return p;
        }

        /** Records that piece {@code w} may hold pair {@code p} (duplicates and stale entries are skipped when read). */
        void addWord(int p, int w) {
            int[] list = words[p];
            int n = wordCount[p];
            if (list == null) list = words[p] = new int[2];
            else if (n > 0 && list[n - 1] == w) return;
            else if (n == list.length) list = words[p] = Arrays.copyOf(list, n * 2);
            list[n] = w;
            wordCount[p] = n + 1;
        }

        /** Forgets the pieces of a merged pair (it cannot occur again: its tokens now form the new one). */
        void release(int p) {
            words[p] = null;
            wordCount[p] = 0;
        }

        Candidate candidate(int p) {
            return new Candidate(count[p], PairMap.left(keys[p]), PairMap.right(keys[p]));
        }

        private void grow() {
            int capacity = keys.length * 2;
            keys = Arrays.copyOf(keys, capacity);
            count = Arrays.copyOf(count, capacity);
            words = Arrays.copyOf(words, capacity);
            wordCount = Arrays.copyOf(wordCount, capacity);
            lastTouched = Arrays.copyOf(lastTouched, capacity);
            banned = Arrays.copyOf(banned, capacity);
        }
    }
}

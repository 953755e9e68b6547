package dev.myelin.text;

import dev.myelin.backend.MemoryCheck;
import dev.myelin.io.FileFormatException;
import dev.myelin.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A byte-level BPE tokenizer, as GPT-2's: text becomes UTF-8 bytes, each byte is a token, and learned merges
 * join adjacent tokens into longer ones, within the pieces the GPT-2 pattern cuts (words with their leading
 * space, runs of digits, of punctuation, of white space: see {@code PreTokenizer}). Every text can be
 * encoded, so there is no unknown token.
 *
 * <p>Ids: the special tokens first (by default {@code <pad>} = 0, {@code <bos>} = 1, {@code <eos>} = 2, so
 * padding is id 0 for {@code Embedding.maskZero}), then the 256 bytes in byte order, then one id per merge in
 * the order they were learned. A file loaded from elsewhere (a Hugging Face {@code tokenizer.json} of a
 * byte-level BPE) keeps its own ids.
 *
 * <p>Encoding applies, within each piece, the merge with the lowest rank (learned first) among the adjacent
 * pairs, leftmost first, until none applies: the same result as replaying the training merges in order.
 * Special tokens are never produced by {@link #encode}: the text {@code "<eos>"} is five characters, so a
 * text cannot inject control tokens; add them with {@link #specialId}.
 *
 * <p>Round trip: {@code decode(encode(s)).equals(s)} for every well-formed string. A lone surrogate (a
 * {@code char} in {@code 0xD800..0xDFFF} without its pair, which is not Unicode text and has no UTF-8 form)
 * is encoded as U+FFFD, the replacement character, and decodes as such. {@link #decode} of ids whose bytes
 * are not valid UTF-8 (a model's sample that stops inside a character) writes U+FFFD for each bad sequence.
 *
 * <p>Immutable and safe to share between threads (encoding caches short pieces in a concurrent map).
 *
 * <p>Example:
 * <pre>{@code
 * BpeTokenizer bpe = BpeTokenizer.train(texts, 4_000);
 * int[] ids = bpe.encode("Hello world");     // [pad, bos, eos, 256 bytes, merges...] ids
 * String back = bpe.decode(ids);            // "Hello world"
 * bpe.save(Path.of("tokenizer.json"));      // Hugging Face's tokenizer.json layout
 * }</pre>
 */
public final class BpeTokenizer {
    /** The largest vocabulary accepted, when training and when reading a file. */
    public static final int MAX_VOCABULARY_SIZE = 1 << 20;
    /** The special tokens {@link #train(List, int)} adds: padding (id 0), begin and end of sequence. */
    public static final List<String> DEFAULT_SPECIAL_TOKENS = List.of("<pad>", "<bos>", "<eos>");

    private static final int CACHED_PIECE_CHARS = 48;
    private static final int CACHE_ENTRIES = 1 << 16;

    private final String[] vocabulary;
    private final byte[][] tokenBytes;
    private final boolean[] special;
    private final Map<String, Integer> specialIds;
    private final int[] byteIds = new int[256];
    private final int[] mergeLeft, mergeRight, mergeResult;
    private final PairMap ranks;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * A tokenizer from its vocabulary (id → spelling: GPT-2's byte characters, or a special token's text)
     * and its merges in rank order, as pairs of ids.
     *
     * @throws IllegalArgumentException naming the token or merge when the two do not make a byte-level BPE:
     *     a byte without its token, a spelling used twice, a merge of unknown ids or whose result is not in
     *     the vocabulary, a merge listed twice
     */
    BpeTokenizer(List<String> vocabulary, boolean[] special, int[] mergeLeft, int[] mergeRight) {
        int size = vocabulary.size();
        if (size > MAX_VOCABULARY_SIZE) throw new IllegalArgumentException("vocabulary of " + size + " tokens exceeds the limit of " + MAX_VOCABULARY_SIZE);
        if (special.length != size) throw new IllegalArgumentException(size + " tokens but " + special.length + " special flags");
        if (mergeLeft.length != mergeRight.length) throw new IllegalArgumentException("merges: " + mergeLeft.length + " left ids but " + mergeRight.length + " right ids");
        if (mergeLeft.length > size) throw new IllegalArgumentException(mergeLeft.length + " merges for a vocabulary of " + size + " tokens");
        this.vocabulary = vocabulary.toArray(String[]::new);
        this.special = special.clone();
        this.tokenBytes = new byte[size][];
        Map<String, Integer> ids = new HashMap<>(size * 2);
        Map<String, Integer> specials = new LinkedHashMap<>();
        Arrays.fill(byteIds, -1);
        for (int id = 0; id < size; id++) {
            String token = Objects.requireNonNull(this.vocabulary[id], "token " + id);
            if (token.isEmpty()) throw new IllegalArgumentException("token " + id + " is empty");
            Integer before = ids.putIfAbsent(token, id);
            if (before != null) throw new IllegalArgumentException("token " + quote(token) + " has two ids, " + before + " and " + id);
            if (special[id]) {
                specials.put(token, id);
                tokenBytes[id] = token.getBytes(StandardCharsets.UTF_8);
                continue;
            }
            byte[] bytes = ByteLevel.bytes(token);
            if (bytes == null) {
                throw new IllegalArgumentException("token " + quote(token) + " (id " + id + ") is not spelled in GPT-2's byte characters"
                        + " and is not a special token");
            }
            tokenBytes[id] = bytes;
            if (bytes.length == 1) byteIds[bytes[0] & 0xFF] = id;
        }
        for (int b = 0; b < 256; b++) {
            if (byteIds[b] < 0) throw new IllegalArgumentException("the vocabulary has no token for the byte " + b + " (" + quote(ByteLevel.spell(new byte[] {(byte) b})) + ")");
        }
        this.specialIds = Collections.unmodifiableMap(specials);
        int merges = mergeLeft.length;
        this.mergeLeft = mergeLeft.clone();
        this.mergeRight = mergeRight.clone();
        this.mergeResult = new int[merges];
        this.ranks = new PairMap(merges);
        for (int r = 0; r < merges; r++) {
            int a = mergeLeft[r], b = mergeRight[r];
            String what = "merge " + r;
            if (a < 0 || a >= size || b < 0 || b >= size) throw new IllegalArgumentException(what + " joins ids " + a + " and " + b + " outside the vocabulary [0, " + size + ")");
            what += " (" + quote(this.vocabulary[a]) + " + " + quote(this.vocabulary[b]) + ")";
            if (special[a] || special[b]) throw new IllegalArgumentException(what + " involves a special token");
            Integer result = ids.get(this.vocabulary[a] + this.vocabulary[b]);
            if (result == null || special[result]) throw new IllegalArgumentException(what + ": the joined token is not in the vocabulary");
            if (ranks.putIfAbsent(a, b, r) != r) throw new IllegalArgumentException(what + " repeats merge " + ranks.get(a, b));
            mergeResult[r] = result;
        }
    }

    /**
     * Trains a tokenizer of {@code vocabularySize} tokens (the {@link #DEFAULT_SPECIAL_TOKENS} and the 256
     * bytes included) on {@code texts}, with {@link BpeTrainer}'s defaults. See {@link BpeTrainer} for the
     * options, the tie-breaking and what happens when the texts have too few pairs.
     */
    public static BpeTokenizer train(List<String> texts, int vocabularySize) {
        return new BpeTrainer(vocabularySize).train(texts);
    }

    /** Reads a tokenizer that {@link #save} wrote, or a Hugging Face {@code tokenizer.json} of a byte-level BPE. */
    public static BpeTokenizer load(Path file) throws IOException {
        return BpeFile.read(file);
    }

    /**
     * Writes the vocabulary and merges atomically as a Hugging Face {@code tokenizer.json} (a {@code model}
     * of type {@code BPE} with {@code vocab} and {@code merges}, a {@code ByteLevel} pre-tokenizer and
     * decoder, the special tokens as {@code added_tokens}).
     */
    public void save(Path file) throws IOException {
        BpeFile.write(this, file);
    }

    /** The vocabulary and merges as the JSON tree {@link #save} writes (Hugging Face's {@code tokenizer.json}), for embedding in another file. */
    public Map<String, Object> toJsonTree() {
        return BpeFile.tree(this);
    }

    /**
     * The tokenizer a {@link #toJsonTree} tree describes.
     *
     * @throws FileFormatException naming {@code source} and the field when the tree is not a byte-level BPE
     */
    public static BpeTokenizer fromJsonTree(Object tree, String source) throws FileFormatException {
        return BpeFile.fromTree(tree, source);
    }

    /** The ids of {@code text}'s tokens. */
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        IdBuffer out = new IdBuffer(text.length() / 3 + 4);
        PreTokenizer.split(text, (start, end) -> {
            if (end - start > CACHED_PIECE_CHARS) {
                out.addAll(mergePiece(utf8(text, start, end)));
                return;
            }
            String piece = text.substring(start, end);
            int[] ids = cache.get(piece);
            if (ids == null) {
                ids = mergePiece(utf8(text, start, end));
                if (cache.size() >= CACHE_ENTRIES) cache.clear(); // a bound, not an LRU: pieces repeat, so it refills with the common ones
                cache.put(piece, ids);
            }
            out.addAll(ids);
        });
        return out.toArray();
    }

    /**
     * {@code [texts, sequenceLength]} ids as float32 (what {@code Embedding} takes): each text's ids cut to
     * {@code sequenceLength}, or padded at the end with the id of {@code <pad>}.
     *
     * @throws IllegalStateException when this tokenizer has no {@code <pad>} special token
     */
    public Tensor vectorize(List<String> texts, int sequenceLength) {
        if (sequenceLength < 1 || sequenceLength > TextVectorizer.MAX_SEQUENCE_LENGTH) {
            throw new IllegalArgumentException("sequenceLength must be in [1, " + TextVectorizer.MAX_SEQUENCE_LENGTH + "], got " + sequenceLength);
        }
        Integer pad = specialIds.get("<pad>");
        if (pad == null) throw new IllegalStateException("vectorize pads with <pad>, which this tokenizer lacks; its special tokens are " + specialIds.keySet());
        String what = "BpeTokenizer.vectorize: " + texts.size() + " texts × " + sequenceLength + " ids";
        int count = MemoryCheck.elementCount(what, texts.size(), sequenceLength);
        MemoryCheck.requireAvailable(what, (long) count * Float.BYTES);
        float[] data = new float[count];
        Arrays.fill(data, pad);
        for (int i = 0; i < texts.size(); i++) {
            int[] ids = encode(texts.get(i));
            for (int j = 0; j < Math.min(ids.length, sequenceLength); j++) data[i * sequenceLength + j] = ids[j];
        }
        return Tensor.of(data, texts.size(), sequenceLength);
    }

    /** The text of {@code ids}, special tokens written as their text. */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * The text of {@code ids}: the tokens' bytes decoded as UTF-8 (a sequence that is not UTF-8 becomes U+FFFD).
     *
     * @param skipSpecialTokens leave special tokens out instead of writing their text
     * @throws IllegalArgumentException naming the position and the id when an id is outside the vocabulary
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        Objects.requireNonNull(ids, "ids");
        int length = 0;
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id < 0 || id >= vocabulary.length) {
                throw new IllegalArgumentException("token id " + id + " at position " + i + " is outside the vocabulary [0, " + vocabulary.length + ")");
            }
            if (!(skipSpecialTokens && special[id])) length += tokenBytes[id].length;
        }
        byte[] bytes = new byte[length];
        int at = 0;
        for (int id : ids) {
            if (skipSpecialTokens && special[id]) continue;
            byte[] t = tokenBytes[id];
            System.arraycopy(t, 0, bytes, at, t.length);
            at += t.length;
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Number of ids (the {@code inputDim} of an Embedding). */
    public int vocabularySize() {
        return vocabulary.length;
    }

    /** The id of a special token, such as {@code specialId("<eos>")}. */
    public int specialId(String token) {
        Integer id = specialIds.get(token);
        if (id == null) throw new IllegalArgumentException("no special token " + quote(token) + "; this tokenizer has " + specialIds.keySet());
        return id;
    }

    /** The special tokens in id order. */
    public List<String> specialTokens() {
        return List.copyOf(specialIds.keySet());
    }

    /** Whether {@code id} is a special token. */
    public boolean isSpecial(int id) {
        checkId(id);
        return special[id];
    }

    /** How token {@code id} is spelled in the vocabulary: GPT-2's byte characters ({@code "Ġworld"}), or a special token's text. */
    public String token(int id) {
        checkId(id);
        return vocabulary[id];
    }

    /** The bytes of token {@code id} (a special token's UTF-8 text). */
    public byte[] tokenBytes(int id) {
        checkId(id);
        return tokenBytes[id].clone();
    }

    /** Number of merges, in rank order: merge {@code r} joins {@link #merge}{@code (r)}. */
    public int mergeCount() {
        return mergeLeft.length;
    }

    /** The ids merge {@code rank} joins: {@code {left, right, result}}. */
    public int[] merge(int rank) {
        Objects.checkIndex(rank, mergeLeft.length);
        return new int[] {mergeLeft[rank], mergeRight[rank], mergeResult[rank]};
    }

    List<String> vocabularyList() {
        return List.of(vocabulary);
    }

    private void checkId(int id) {
        if (id < 0 || id >= vocabulary.length) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocabulary.length + ")");
    }

    /**
     * The ids of one piece's bytes after merging: a linked list of symbols and a heap of
     * {@code rank << 32 | position} holding each adjacent pair that has a merge, so the lowest rank and then
     * the leftmost pair goes first and a long piece costs O(n log n), not a rescan per merge. An entry whose
     * pair changed since it was pushed (a neighbour merged) is skipped when it comes up.
     */
    private int[] mergePiece(byte[] bytes) {
        int n = bytes.length;
        int[] sym = new int[n];
        for (int i = 0; i < n; i++) sym[i] = byteIds[bytes[i] & 0xFF];
        if (n < 2 || ranks.size() == 0) return sym;
        int[] next = new int[n];
        int[] prev = new int[n];
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
            if (i + 1 < n) {
                int r = ranks.get(sym[i], sym[i + 1]);
                if (r >= 0) heap.push((long) r << 32 | i);
            }
        }
        int count = n;
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int r = (int) (top >>> 32), i = (int) top;
            int j = next[i];
            if (sym[i] < 0 || j < 0 || ranks.get(sym[i], sym[j]) != r) continue; // stale
            sym[i] = mergeResult[r];
            sym[j] = -1;
            next[i] = next[j];
            if (next[j] >= 0) prev[next[j]] = i;
            count--;
            if (prev[i] >= 0) {
                int rl = ranks.get(sym[prev[i]], sym[i]);
                if (rl >= 0) heap.push((long) rl << 32 | prev[i]);
            }
            if (next[i] >= 0) {
                int rr = ranks.get(sym[i], sym[next[i]]);
                if (rr >= 0) heap.push((long) rr << 32 | i);
            }
        }
        int[] out = new int[count];
        for (int i = 0, k = 0; i >= 0; i = next[i]) out[k++] = sym[i];
        return out;
    }

    /** UTF-8 of {@code text[start, end)}, a lone surrogate written as U+FFFD. */
    static byte[] utf8(String text, int start, int end) {
        byte[] out = new byte[3 * (end - start)];
        int n = 0;
        for (int i = start; i < end; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) cp = 0xFFFD;
            if (cp < 0x80) {
                out[n++] = (byte) cp;
            } else if (cp < 0x800) {
                out[n++] = (byte) (0xC0 | cp >> 6);
                out[n++] = (byte) (0x80 | cp & 0x3F);
            } else if (cp < 0x10000) {
                out[n++] = (byte) (0xE0 | cp >> 12);
                out[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
                out[n++] = (byte) (0x80 | cp & 0x3F);
            } else {
                out[n++] = (byte) (0xF0 | cp >> 18);
                out[n++] = (byte) (0x80 | cp >> 12 & 0x3F);
                out[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
                out[n++] = (byte) (0x80 | cp & 0x3F);
            }
        }
        return Arrays.copyOf(out, n);
    }

    static String quote(String token) {
        StringBuilder sb = new StringBuilder("'");
        token.codePoints().limit(40).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7F) sb.append(String.format("\\x%02x", cp));
            else sb.appendCodePoint(cp);
        });
        if (token.codePointCount(0, token.length()) > 40) sb.append("...");
        return sb.append('\'').toString();
    }

    /** A growing int array. */
    private static final class IdBuffer {
        private int[] ids;
        private int size;

        IdBuffer(int capacity) {
            ids = new int[Math.max(4, capacity)];
        }

        void addAll(int[] more) {
            if (size + more.length > ids.length) ids = Arrays.copyOf(ids, Math.max(ids.length * 2, size + more.length));
            System.arraycopy(more, 0, ids, size, more.length);
            size += more.length;
        }

        int[] toArray() {
            return Arrays.copyOf(ids, size);
        }
    }
}

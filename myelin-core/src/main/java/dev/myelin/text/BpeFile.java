package dev.myelin.text;

import dev.myelin.io.AtomicFiles;
import dev.myelin.io.FileFormatException;
import dev.myelin.io.Json;
import dev.myelin.io.JsonException;
import dev.myelin.io.TextFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link BpeTokenizer} as Hugging Face's {@code tokenizer.json}: {@code model.vocab} maps each token's
 * spelling (GPT-2's byte characters) to its id, {@code model.merges} lists the merges in rank order as
 * {@code "left right"}, {@code added_tokens} the special tokens; a {@code ByteLevel} pre-tokenizer and
 * decoder, no normalizer. Hugging Face's {@code Tokenizer.from_file} reads what this writes.
 *
 * <p>Reading accepts such files from elsewhere (GPT-2's, say) and refuses, naming the file and what is
 * wrong, anything this tokenizer would encode differently (a normalizer, a prefix space, a subword prefix,
 * a model other than BPE) and anything malformed: ids not {@code 0..n-1}, a byte without its token, a merge
 * of unknown tokens, more than {@link BpeTokenizer#MAX_VOCABULARY_SIZE} tokens. Every added token counts as
 * special (never produced by encoding text).
 */
final class BpeFile {
    /** The largest file read: JSON text of {@link Json#MAX_CHARS} characters, three UTF-8 bytes each at most. */
    static final long MAX_FILE_BYTES = 3L * Json.MAX_CHARS;

    private BpeFile() {}

    static void write(BpeTokenizer tokenizer, Path file) throws IOException {
        byte[] bytes = (Json.write(tree(tokenizer)) + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    /** The tokenizer as the JSON tree of Hugging Face's {@code tokenizer.json}. */
    static Map<String, Object> tree(BpeTokenizer tokenizer) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        List<Object> added = new ArrayList<>();
        Map<String, Object> vocab = new LinkedHashMap<>();
        List<String> spelled = tokenizer.vocabularyList();
        for (int id = 0; id < spelled.size(); id++) {
            vocab.put(spelled.get(id), id);
            if (!tokenizer.isSpecial(id)) continue;
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("id", id);
            a.put("content", spelled.get(id));
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
            added.add(a);
        }
        root.put("added_tokens", added);
        root.put("normalizer", null);
        root.put("pre_tokenizer", byteLevel(false));
        root.put("post_processor", null);
        root.put("decoder", byteLevel(true));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("vocab", vocab);
        List<String> merges = new ArrayList<>();
        for (int r = 0; r < tokenizer.mergeCount(); r++) {
            int[] m = tokenizer.merge(r);
            merges.add(spelled.get(m[0]) + " " + spelled.get(m[1]));
        }
        model.put("merges", merges);
        root.put("model", model);
        return root;
    }

    private static Map<String, Object> byteLevel(boolean decoder) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "ByteLevel");
        m.put("add_prefix_space", decoder); // Hugging Face's GPT-2 decoder says true; decoding ignores it
        m.put("trim_offsets", true);
        m.put("use_regex", true);
        return m;
    }

    static BpeTokenizer read(Path file) throws IOException {
        if (!Files.exists(file)) throw new IOException(file + ": no such tokenizer file");
        String text = TextFiles.readUtf8(file, MAX_FILE_BYTES);
        Object tree;
        try {
            tree = Json.parse(text);
        } catch (JsonException e) {
            throw new FileFormatException(file + ": " + e.getMessage(), e);
        }
        return fromTree(tree, file.toString());
    }

    /**
     * The tokenizer a {@code tokenizer.json} tree describes ({@link #tree}'s form).
     *
     * @throws FileFormatException naming {@code source} and the field when the tree is not a byte-level BPE
     */
    static BpeTokenizer fromTree(Object tree, String source) throws FileFormatException {
        Reader r = new Reader(source);
        Map<?, ?> root = r.object(tree, "the file");
        if (root.get("normalizer") != null) throw r.fail("has a normalizer; only byte-level BPE without normalization can be read");
        Object pre = root.get("pre_tokenizer");
        if (pre != null) {
            Map<?, ?> p = r.object(pre, "pre_tokenizer");
            if (!"ByteLevel".equals(p.get("type"))) throw r.fail("pre_tokenizer is " + p.get("type") + ", not ByteLevel; only GPT-2's byte-level pieces are supported");
            if (Boolean.TRUE.equals(p.get("add_prefix_space"))) throw r.fail("pre_tokenizer adds a prefix space, which this tokenizer does not");
            if (Boolean.FALSE.equals(p.get("use_regex"))) throw r.fail("pre_tokenizer does not split with GPT-2's pattern (use_regex is false)");
        }
        Map<?, ?> model = r.object(root.get("model"), "model");
        if (!"BPE".equals(model.get("type"))) throw r.fail("model.type is " + model.get("type") + ", expected \"BPE\"");
        for (String key : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (model.get(key) != null) throw r.fail("model." + key + " is set; byte-level BPE has none");
        }
        Map<?, ?> vocab = r.object(model.get("vocab"), "model.vocab");
        int size = vocab.size();
        if (size > BpeTokenizer.MAX_VOCABULARY_SIZE) throw r.fail("model.vocab has " + size + " tokens, more than the limit of " + BpeTokenizer.MAX_VOCABULARY_SIZE);
        if (size < 256) throw r.fail("model.vocab has " + size + " tokens; a byte-level BPE has at least the 256 bytes");
        String[] tokens = new String[size];
        for (Map.Entry<?, ?> e : vocab.entrySet()) {
            String token = (String) e.getKey();
            if (!(e.getValue() instanceof Long id) || id < 0 || id >= size) {
                throw r.fail("model.vocab: token " + BpeTokenizer.quote(token) + " has id " + e.getValue() + "; ids must be the integers 0.." + (size - 1));
            }
            int i = (int) (long) id;
            if (tokens[i] != null) throw r.fail("model.vocab: id " + i + " is given to both " + BpeTokenizer.quote(tokens[i]) + " and " + BpeTokenizer.quote(token));
            tokens[i] = token;
        }
        boolean[] special = new boolean[size];
        Object addedTree = root.get("added_tokens");
        if (addedTree != null) {
            List<?> added = r.array(addedTree, "added_tokens");
            for (int k = 0; k < added.size(); k++) {
                Map<?, ?> a = r.object(added.get(k), "added_tokens[" + k + "]");
                if (!(a.get("id") instanceof Long id) || !(a.get("content") instanceof String content)) {
                    throw r.fail("added_tokens[" + k + "] needs an integer id and a string content");
                }
                if (id < 0 || id >= size || !content.equals(tokens[(int) (long) id])) {
                    throw r.fail("added_tokens[" + k + "]: " + BpeTokenizer.quote(content) + " with id " + id + " is not that entry of model.vocab");
                }
                special[(int) (long) id] = true;
            }
        }
        List<?> merges = r.array(model.get("merges"), "model.merges");
        if (merges.size() > size) throw r.fail("model.merges has " + merges.size() + " merges for " + size + " tokens");
        Map<String, Integer> ids = new LinkedHashMap<>(size * 2);
        for (int i = 0; i < size; i++) ids.put(tokens[i], i);
        int[] left = new int[merges.size()], right = new int[merges.size()];
        for (int k = 0; k < merges.size(); k++) {
            Object m = merges.get(k);
            String[] parts;
            if (m instanceof String s) {
                int space = s.indexOf(' ');
                parts = space <= 0 || space == s.length() - 1 || s.indexOf(' ', space + 1) >= 0 ? null : new String[] {s.substring(0, space), s.substring(space + 1)};
            } else if (m instanceof List<?> l && l.size() == 2 && l.get(0) instanceof String a && l.get(1) instanceof String b) {
                parts = new String[] {a, b};
            } else {
                parts = null;
            }
            if (parts == null) throw r.fail("model.merges[" + k + "] is " + m + "; expected \"left right\" or [\"left\", \"right\"]");
            for (String part : parts) {
                if (!ids.containsKey(part)) throw r.fail("model.merges[" + k + "] (" + m + "): " + BpeTokenizer.quote(part) + " is not in model.vocab");
            }
            left[k] = ids.get(parts[0]);
            right[k] = ids.get(parts[1]);
        }
        try {
            return new BpeTokenizer(Arrays.asList(tokens), special, left, right);
        } catch (IllegalArgumentException e) {
            throw r.fail(e.getMessage());
        }
    }

    /** Type checks that name the file and the field. */
    private record Reader(String source) {
        FileFormatException fail(String what) {
            return new FileFormatException(source + ": " + what);
        }

        Map<?, ?> object(Object v, String what) throws FileFormatException {
            if (v instanceof Map<?, ?> m) return m;
            throw fail(what + " is " + (v == null ? "missing" : "not a JSON object") + " (expected Hugging Face's tokenizer.json layout)");
        }

        List<?> array(Object v, String what) throws FileFormatException {
            if (v instanceof List<?> l) return l;
            throw fail(what + " is " + (v == null ? "missing" : "not a JSON array"));
        }
    }
}

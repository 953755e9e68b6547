/**
 * File formats, read strictly and written atomically (temporary file, fsync, rename:
 * {@link dev.myelin.io.AtomicFiles}): a strict JSON reader/writer ({@link dev.myelin.io.Json}: depth and
 * size limits, duplicate keys refused), safetensors ({@link dev.myelin.io.Safetensors}), stored zip
 * archives ({@link dev.myelin.io.ZipArchive}, the container of model files), PNG images
 * ({@link dev.myelin.io.PngWriter}) and text files. Every size read from a file is checked before
 * allocating; a malformed file is a {@link dev.myelin.io.FileFormatException} naming the file and what was
 * wrong. Nothing here deserializes Java objects or looks up classes by a name read from a file.
 */
package dev.myelin.io;

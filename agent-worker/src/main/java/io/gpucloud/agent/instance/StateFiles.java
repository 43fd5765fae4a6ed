package io.gpucloud.agent.instance;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gpucloud.agent.domain.CanonicalUuid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The agent's small per-instance state files ({@link CreatedDisks}, {@link CreatedMdevs}, {@link RebootMarks}): one
 * file per instance, {@code <stateDir>/<prefix><instanceId><suffix>}, each written atomically (a temp file moved over
 * it), so a crash never leaves half a record. A failing read, write or delete throws an {@link UncheckedIOException}
 * that names the file.
 */
final class StateFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads a state file that exists. */
  @FunctionalInterface
  interface Reader<T> {
    T read(Path file) throws IOException;
  }

  /** Writes the content of a state file to (a temp file beside) it. */
  @FunctionalInterface
  interface Content {
    void writeTo(Path file) throws IOException;
  }

  private final Path dir;
  private final String prefix;
  private final String suffix;

  StateFiles(Path dir, String prefix, String suffix) {
    this.dir = dir;
    this.prefix = prefix;
    this.suffix = suffix;
  }

  Path file(String instanceId) {
    // the instance id is a UUID (checked), so it is safe as a file name
    String id = CanonicalUuid.normalize(instanceId, "instance id");
    return dir.resolve(prefix + id + suffix);
  }

  /** A state file as a {@code type}, from JSON. */
  static <T> Reader<T> fromJson(Class<T> type) {
    return f -> JSON.readValue(f.toFile(), type);
  }

  /** {@code value} as (pretty-printed) JSON. */
  static Content toJson(Object value) {
    return f -> JSON.writerWithDefaultPrettyPrinter().writeValue(f.toFile(), value);
  }

  /** Reads the state file {@code f} (one of {@link #file}), which exists. */
  static <T> T read(Path f, Reader<T> reader) {
    try {
      return reader.read(f);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read agent state file " + f + ": " + e.getMessage(), e);
    }
  }

  /** Writes the state file {@code f} (one of {@link #file}) atomically; no {@code content} (null) deletes it. */
  void write(Path f, Content content) {
    try {
      if (content == null) {
        Files.deleteIfExists(f);
        return;
      }
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, f.getFileName().toString(), ".tmp");
      try {
        content.writeTo(tmp);
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write agent state file " + f + ": " + e.getMessage(), e);
    }
  }

  /** Deletes the state file {@code f} (one of {@link #file}), if there is one. */
  static void delete(Path f) {
    try {
      Files.deleteIfExists(f);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete agent state file " + f + ": " + e.getMessage(), e);
    }
  }
}

package io.gpucloud.service.usage;

import io.gpucloud.service.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The export directory (config {@code usage.exportDir}) and the files the API hands out of it: only
 * names of the form usage-YYYY-MM-DD.csv|jsonl|sha256, only regular files (never a symbolic link),
 * and only ones whose resolved path stays inside the directory.
 */
public final class ExportFiles {
  /** The only names served. */
  public static final Pattern NAME = Pattern.compile("^usage-\\d{4}-\\d{2}-\\d{2}\\.(csv|jsonl|sha256)$");

  private final Path dir;

  public ExportFiles(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  public Path dir() {
    return dir;
  }

  /** An opened export file, its name, size and media type. */
  public record Opened(String name, String mediaType, long size, InputStream in) {}

  /** The media type of an export file by its extension. */
  public static String mediaType(String name) {
    if (name.endsWith(".csv")) {
      return "text/csv";
    }
    if (name.endsWith(".jsonl")) {
      return "application/x-ndjson";
    }
    return "text/plain";
  }

  /** Whether {@code name} is a valid export name present in the directory as a regular file. */
  public boolean present(String name) {
    try {
      return resolve(name) != null;
    } catch (ApiException e) {
      return false;
    }
  }

  /**
   * Opens {@code name}: 400 for a name that is not an export file's, 404 when it is missing (or is a
   * link, or leads outside the directory). Opened without following links, so a file swapped for a link
   * after the check is refused too.
   */
  public Opened open(String name) {
    Path p = resolve(name);
    if (p == null) {
      throw ApiException.notFound("export file " + name + " does not exist");
    }
    try {
      long size = Files.size(p);
      InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS);
      return new Opened(name, mediaType(name), size, in);
    } catch (NoSuchFileException e) {
      throw ApiException.notFound("export file " + name + " does not exist");
    } catch (IOException e) {
      // ELOOP (a link swapped in) or unreadable: not served
      throw ApiException.notFound("export file " + name + " does not exist");
    }
  }

  /** The file's path when it is servable, null when missing; 400 for a name that is not an export name. */
  private Path resolve(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw ApiException.badRequest("file must be named usage-YYYY-MM-DD.csv, .jsonl or .sha256");
    }
    Path p;
    try {
      p = dir.resolve(name).normalize();
    } catch (InvalidPathException e) {
      throw ApiException.badRequest("file must be named usage-YYYY-MM-DD.csv, .jsonl or .sha256");
    }
    // the pattern admits no separator and no "..", so this holds; checked all the same
    if (!p.startsWith(dir) || !p.getParent().equals(dir)) {
      return null;
    }
    if (Files.isSymbolicLink(p) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    try {
      // the directory itself may be reached through a link (a mounted volume); the file (no link itself,
      // checked above) must really lie in it
      if (!p.toRealPath().getParent().equals(dir.toRealPath())) {
        return null;
      }
    } catch (IOException e) {
      return null;
    }
    return p;
  }
}

package io.gpucloud.service.usage;

import static io.gpucloud.service.ApiAssertions.fails;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The export directory: what is served, and every way out of the directory refused. */
class ExportFilesTest {
  @TempDir Path root;
  private Path dir;
  private ExportFiles files;

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createDirectory(root.resolve("exports"));
    files = new ExportFiles(dir);
    Files.writeString(dir.resolve("usage-2026-12-01.csv"), "a,b\n1,2\n");
    Files.writeString(dir.resolve("usage-2026-12-01.jsonl"), "{}\n");
    Files.writeString(dir.resolve("usage-2026-12-01.sha256"), "x\n");
    Files.writeString(root.resolve("config.yml"), "TOPSECRET");
  }

  private static String read(ExportFiles.Opened o) throws IOException {
    try (InputStream in = o.in()) {
      return new String(in.readAllBytes());
    }
  }

  @Test
  void servesTheExportFilesWithTheirTypes() throws IOException {
    ExportFiles.Opened csv = files.open("usage-2026-12-01.csv");
    assertThat(csv.mediaType()).isEqualTo("text/csv");
    assertThat(csv.size()).isEqualTo(8);
    assertThat(read(csv)).isEqualTo("a,b\n1,2\n");
    assertThat(files.open("usage-2026-12-01.jsonl").mediaType()).isEqualTo("application/x-ndjson");
    assertThat(files.open("usage-2026-12-01.sha256").mediaType()).isEqualTo("text/plain");
    assertThat(files.present("usage-2026-12-01.csv")).isTrue();
    assertThat(files.present("usage-2026-12-02.csv")).isFalse();
    fails(404, "export file usage-2026-12-02.csv does not exist", () -> files.open("usage-2026-12-02.csv"));
  }

  @Test
  void refusesNamesThatAreNotExportNames() {
    for (String name : List.of("../config.yml", "..", ".", "", "/etc/passwd", "usage-2026-12-01.csv/../../config.yml",
        "usage-2026-12-01.csv/", "../exports/usage-2026-12-01.csv", "./usage-2026-12-01.csv",
        "usage-2026-12-01.csv\0", "usage-2026-12-01.txt", "usage-26-12-01.csv", "USAGE-2026-12-01.CSV",
        "usage-2026-12-01.csv\n", "..\\config.yml", dir.resolve("usage-2026-12-01.csv").toString())) {
      fails(400, "file must be named usage-YYYY-MM-DD.csv, .jsonl or .sha256", () -> files.open(name));
      assertThat(files.present(name)).as(name).isFalse();
    }
    fails(400, "file must be named", () -> files.open(null));
  }

  @Test
  void refusesALinkInsideTheDirectory() throws IOException {
    Files.createSymbolicLink(dir.resolve("usage-2026-12-02.csv"), root.resolve("config.yml"));
    Files.createSymbolicLink(dir.resolve("usage-2026-12-03.csv"), dir.resolve("usage-2026-12-01.csv"));
    for (String name : List.of("usage-2026-12-02.csv", "usage-2026-12-03.csv")) {
      assertThat(files.present(name)).as(name).isFalse();
      fails(404, "does not exist", () -> files.open(name));
    }
  }

  @Test
  void refusesADirectoryNamedLikeAnExport() throws IOException {
    Files.createDirectory(dir.resolve("usage-2026-12-04.csv"));
    assertThat(files.present("usage-2026-12-04.csv")).isFalse();
    fails(404, "does not exist", () -> files.open("usage-2026-12-04.csv"));
  }

  @Test
  void servesFromADirectoryReachedThroughALink() throws IOException {
    Path link = Files.createSymbolicLink(root.resolve("exports-link"), dir);
    ExportFiles viaLink = new ExportFiles(link);
    assertThat(read(viaLink.open("usage-2026-12-01.csv"))).isEqualTo("a,b\n1,2\n");
    // a relative, unnormalised directory is fine too
    ExportFiles relative = new ExportFiles(root.resolve("exports/../exports"));
    assertThat(relative.present("usage-2026-12-01.jsonl")).isTrue();
  }

  @Test
  void aMissingDirectoryHasNoFiles() {
    ExportFiles none = new ExportFiles(root.resolve("missing"));
    assertThat(none.present("usage-2026-12-01.csv")).isFalse();
    fails(404, "does not exist", () -> none.open("usage-2026-12-01.csv"));
  }
}

package io.gpucloud.controlplane.usage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.gpucloud.activities.usage.UsageExportResult.ExportedFile;
import io.gpucloud.activities.usage.UsagePeriods;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one day's export in one pass over its records: usage-DAY.csv (RFC 4180, CRLF), usage-DAY.jsonl
 * (one object per line) and usage-DAY.sha256 (sha256sum's format, so {@code sha256sum -c} checks the
 * other two). Nothing in the files depends on when they were written, so a re-run is byte-identical.
 * Use: {@link #open}, {@link #write} each record in order, {@link #commit}; close always.
 */
final class UsageExportWriter implements AutoCloseable {
  /** Numbers in plain notation: BigDecimal's toString would write 1E-6 for 0.000001. */
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
      .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
      .build();

  private final Path dir;
  private final List<String> names;
  private final HashedFile csvFile;
  private final HashedFile jsonlFile;
  private final Writer csv;
  private final JsonGenerator jsonl;
  private long records;

  private UsageExportWriter(Path dir, LocalDate day) throws IOException {
    this.dir = dir;
    this.names = UsagePeriods.exportFiles(day);
    this.csvFile = new HashedFile(dir, names.get(0));
    this.jsonlFile = new HashedFile(dir, names.get(1));
    this.csv = new OutputStreamWriter(csvFile.stream(), StandardCharsets.UTF_8);
    this.jsonl = JSON.createGenerator(jsonlFile.stream());
    this.jsonl.setRootValueSeparator(null); // each object ends with its own \n instead of Jackson's space
  }

  /** Opens the day's temporary files (creating the directory) and writes the CSV header. */
  static UsageExportWriter open(Path dir, LocalDate day) throws IOException {
    Files.createDirectories(dir);
    UsageExportWriter w = new UsageExportWriter(dir, day);
    try {
      List<String> header = UsageRecordColumns.ALL.stream().map(UsageRecordColumns.Column::name).toList();
      w.csvRow(header.toArray(String[]::new));
    } catch (IOException | RuntimeException e) {
      w.close();
      throw e;
    }
    return w;
  }

  /** One record, its values as {@link UsageRecordColumns#read} gives them. */
  void write(String[] values) throws IOException {
    csvRow(values);
    jsonl.writeStartObject();
    for (int i = 0; i < values.length; i++) {
      UsageRecordColumns.Column c = UsageRecordColumns.ALL.get(i);
      jsonl.writeFieldName(c.key());
      if (values[i] == null) {
        jsonl.writeNull();
      } else if (c.kind().jsonNumber()) {
        jsonl.writeNumber(values[i]); // already plain with its fixed decimals: written as is, unquoted
      } else {
        jsonl.writeString(values[i]);
      }
    }
    jsonl.writeEndObject();
    jsonl.writeRaw('\n');
    records++;
  }

  private void csvRow(String[] values) throws IOException {
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        csv.write(',');
      }
      csv.write(csvField(values[i]));
    }
    csv.write("\r\n");
  }

  /** RFC 4180: a field with a comma, quote, CR or LF is quoted, its quotes doubled; NULL is empty. */
  static String csvField(String v) {
    if (v == null) {
      return "";
    }
    for (int i = 0; i < v.length(); i++) {
      char ch = v.charAt(i);
      if (ch == ',' || ch == '"' || ch == '\r' || ch == '\n') {
        return '"' + v.replace("\"", "\"\"") + '"';
      }
    }
    return v;
  }

  long records() {
    return records;
  }

  /**
   * Finishes the CSV and JSONL files, writes the checksum file, fsyncs all three and renames them into
   * place (the checksum last, so it never names files older than itself), then fsyncs the directory.
   */
  List<ExportedFile> commit() throws IOException {
    csv.flush();
    jsonl.flush();
    csvFile.finish();
    jsonlFile.finish();
    String csvSha = csvFile.sha256();
    String jsonlSha = jsonlFile.sha256();
    try (HashedFile sums = new HashedFile(dir, names.get(2))) {
      sums.stream().write((csvSha + "  " + csvFile.name() + "\n" + jsonlSha + "  " + jsonlFile.name() + "\n")
          .getBytes(StandardCharsets.US_ASCII));
      sums.finish();
      String sumsSha = sums.sha256();
      csvFile.publish();
      jsonlFile.publish();
      sums.publish();
      syncDirectory();
      return List.of(new ExportedFile(csvFile.name(), records, csvFile.bytes(), csvSha),
          new ExportedFile(jsonlFile.name(), records, jsonlFile.bytes(), jsonlSha),
          new ExportedFile(sums.name(), 2, sums.bytes(), sumsSha));
    }
  }

  /** Makes the renames durable; not every file system lets a directory be opened, which is no error. */
  private void syncDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // the files themselves are fsynced; only the rename could be lost in a crash
    }
  }

  /** Removes the temporary files of an export that was not committed. */
  @Override
  public void close() throws IOException {
    List<IOException> errors = new ArrayList<>();
    for (HashedFile f : List.of(csvFile, jsonlFile)) {
      try {
        f.close();
      } catch (IOException e) {
        errors.add(e);
      }
    }
    if (!errors.isEmpty()) {
      throw errors.get(0);
    }
  }
}

package io.gpucloud.agent.sim;

import io.gpucloud.agent.domain.SafeXml;
import io.gpucloud.agent.instance.VolumeJournal;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The root-disk volumes of a simulated host's storage pool, kept as files in the pool's directory, which is the
 * directory its test-driver pool declares as target path: a volume {@code root-<uuid>.qcow2} is the file {@code
 * <pool dir>/root-<uuid>.qcow2}, whose content is the volume's XML as libvirt describes it (the simulated "disk").
 *
 * <p>The libvirt test driver keeps volumes in the agent's memory only. {@link #refresh} makes its pool list exactly
 * the files in the directory (creating the missing volumes from their XML through {@code virStorageVolCreateXML},
 * deleting the ones whose file is gone), so volumes outlive an agent restart, and two simulated hosts whose pools
 * have the same directory see each other's volumes, as real hosts sharing an NFS pool do after a pool refresh.
 * Files are replaced atomically; a failure is logged, not fatal (as {@link SavedDomains}).
 */
public final class SavedVolumes implements VolumeJournal {
  private static final Logger LOG = LoggerFactory.getLogger(SavedVolumes.class);

  private final Path dir;

  /** The volumes kept in {@code poolDirectory}. */
  public SavedVolumes(Path poolDirectory) {
    this.dir = Objects.requireNonNull(poolDirectory, "poolDirectory").toAbsolutePath().normalize();
  }

  public Path directory() {
    return dir;
  }

  @Override
  public void refresh(StoragePool pool) {
    try {
      Set<String> files = names();
      Set<String> known = new HashSet<>(Arrays.asList(pool.listVolumes()));
      for (String name : files) {
        if (!known.contains(name)) {
          String xml = volumeXml(dir.resolve(name));
          if (xml == null) {
            continue;
          }
          try {
            pool.storageVolCreateXML(xml, 0);
            LOG.debug("volume {} found in {}", name, dir);
          } catch (LibvirtException e) {
            LOG.warn("cannot restore simulated volume {}: {}", name, e.getMessage());
          }
        }
      }
      for (String name : known) {
        if (!files.contains(name)) {
          try {
            pool.storageVolLookupByName(name).delete(0);
            LOG.debug("volume {} is gone from {}", name, dir);
          } catch (LibvirtException e) {
            LOG.warn("cannot drop simulated volume {}: {}", name, e.getMessage());
          }
        }
      }
    } catch (LibvirtException | RuntimeException e) {
      LOG.warn("cannot refresh the simulated pool from {}: {}", dir, e.getMessage());
    }
  }

  @Override
  public void created(StorageVol volume) {
    try {
      String name = volume.getName();
      Files.createDirectories(dir);
      Path f = file(name);
      Path tmp = Files.createTempFile(dir, "." + name, ".tmp");
      try {
        Files.writeString(tmp, volume.getXMLDesc(0), StandardCharsets.UTF_8);
        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (LibvirtException | IOException | RuntimeException e) {
      LOG.warn("cannot save the simulated volume for the next start: {}", e.getMessage());
    }
  }

  @Override
  public void deleted(String volumeName) {
    try {
      Files.deleteIfExists(file(volumeName));
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot forget the simulated volume {}: {}", volumeName, e.getMessage());
    }
  }

  /**
   * The saved volumes by name: each file whose content is a {@code <volume>} of the same name. Other files (hidden
   * ones, temporary ones, anything else) are skipped.
   */
  public Map<String, String> load() {
    Map<String, String> out = new TreeMap<>();
    for (String name : names()) {
      String xml = volumeXml(dir.resolve(name));
      if (xml != null) {
        out.put(name, xml);
      }
    }
    return out;
  }

  /** The names of the plain, not hidden files in the directory (read without opening them: a refresh is cheap). */
  private Set<String> names() {
    Set<String> out = new HashSet<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path f : ds) {
        String name = f.getFileName().toString();
        if (!name.startsWith(".") && Files.isRegularFile(f)) {
          out.add(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list saved volumes in " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** The file's content when it is the {@code <volume>} its name says, else null (with a warning). */
  private static String volumeXml(Path f) {
    String name = f.getFileName().toString();
    try {
      String xml = Files.readString(f, StandardCharsets.UTF_8);
      Element root = SafeXml.documentBuilder().parse(new InputSource(new StringReader(xml))).getDocumentElement();
      NodeList names = root.getElementsByTagName("name");
      if (root.getTagName().equals("volume") && names.getLength() > 0
          && names.item(0).getTextContent().trim().equals(name)) {
        return xml;
      }
      LOG.warn("skipping {}: not the volume {}", f, name);
    } catch (Exception e) {
      LOG.warn("skipping {}: {}", f, e.getMessage());
    }
    return null;
  }

  private Path file(String volumeName) {
    Path f = dir.resolve(volumeName).normalize();
    if (!f.getParent().equals(dir) || volumeName.startsWith(".")) {
      throw new IllegalArgumentException("volume name '" + volumeName + "' is not a file name");
    }
    return f;
  }
}

package io.gpucloud.agent.instance;

import io.gpucloud.activities.model.PciAddress;
import io.gpucloud.agent.domain.CanonicalUuid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * mdevs through the kernel's mdev interface in sysfs, under a root directory ("/" on a host; a directory shaped
 * like sysfs in tests), doing what mdevctl does:
 *
 * <ul>
 *   <li>a parent GPU is {@code <root>/sys/class/mdev_bus/<PCI address>}, its types the directories of
 *       {@code mdev_supported_types/} (id = directory name, name = its {@code name} file where present);
 *   <li>create: write the uuid to {@code mdev_supported_types/<type id>/create} of the parent;
 *   <li>an mdev exists while {@code <root>/sys/bus/mdev/devices/<uuid>} does;
 *   <li>remove: write {@code 1} to {@code <root>/sys/bus/mdev/devices/<uuid>/remove}.
 * </ul>
 *
 * <p>Writes are what {@code echo VALUE > FILE} writes (the value and a newline), without creating the file: sysfs
 * attributes exist or the kernel does not offer them. The kernel creates and removes the device within the write,
 * so there is nothing to wait for. libvirt learns about the mdev from udev, as about one mdevctl made; its node
 * device name is then {@code mdev_<uuid>} (see {@link LibvirtMdevBackend}).
 */
public final class SysfsMdevBackend implements MdevBackend {
  private final Path root;

  /** @param root the directory that holds {@code sys/} ("/" on a host) */
  public SysfsMdevBackend(Path root) {
    this.root = Objects.requireNonNull(root, "root");
  }

  public Path root() {
    return root;
  }

  /** {@code <root>/sys/class/mdev_bus/<address>}: the parent's mdev bus (a link to its device directory). */
  Path mdevBus(PciAddress parent) {
    return root.resolve("sys/class/mdev_bus").resolve(parent.toString());
  }

  /** {@code <root>/sys/bus/mdev/devices/<uuid>}: the mdev while it exists. */
  Path device(String uuid) {
    return root.resolve("sys/bus/mdev/devices").resolve(CanonicalUuid.normalize(uuid, "mdev uuid"));
  }

  @Override
  public String describe(PciAddress parent) {
    return "sysfs " + mdevBus(parent);
  }

  @Override
  public boolean exists(String uuid, String parentNodeDevice, String recordedName) {
    return Files.isDirectory(device(uuid));
  }

  @Override
  public Optional<Parent> parent(PciAddress address) {
    Path bus = mdevBus(address);
    if (!Files.isDirectory(bus)) {
      return Optional.empty();
    }
    return Optional.of(() -> types(bus.resolve("mdev_supported_types")));
  }

  private static List<MdevType> types(Path typesDir) throws IOException {
    List<Path> dirs = new ArrayList<>();
    if (Files.isDirectory(typesDir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(typesDir, Files::isDirectory)) {
        ds.forEach(dirs::add);
      }
    }
    dirs.sort(Comparator.comparing(p -> p.getFileName().toString()));
    List<MdevType> out = new ArrayList<>();
    for (Path d : dirs) {
      Path name = d.resolve("name");
      out.add(new MdevType(d.getFileName().toString(),
          Files.isRegularFile(name) ? Files.readString(name, StandardCharsets.UTF_8).trim() : ""));
    }
    return out;
  }

  @Override
  public String create(PciAddress parent, String typeId, String uuid) throws IOException {
    Path types = mdevBus(parent).resolve("mdev_supported_types");
    // the type id names a directory: one plain path segment, never a way out of the parent's types
    if (typeId == null || typeId.isEmpty() || typeId.equals(".") || typeId.equals("..") || typeId.contains("/")
        || typeId.indexOf('\0') >= 0 || !Files.isDirectory(types.resolve(typeId))) {
      throw new NoSuchFileException(types + "/" + typeId);
    }
    String u = CanonicalUuid.normalize(uuid, "mdev uuid");
    echo(types.resolve(typeId).resolve("create"), u);
    return u;
  }

  @Override
  public boolean remove(String uuid, String parentNodeDevice, String recordedName) throws IOException {
    Path dev = device(uuid);
    if (!Files.isDirectory(dev)) {
      return false;
    }
    echo(dev.resolve("remove"), "1");
    return true;
  }

  /** {@code echo value > file} on an attribute that must exist. */
  private static void echo(Path attribute, String value) throws IOException {
    Files.write(attribute, (value + "\n").getBytes(StandardCharsets.US_ASCII),
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
  }
}

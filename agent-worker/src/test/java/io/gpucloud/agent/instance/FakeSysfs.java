package io.gpucloud.agent.instance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A directory shaped like the sysfs of a host with mdev-capable GPUs, and the kernel's side of its mdev files: the
 * tests drive the real {@link SysfsMdevBackend} against it and call {@link #kernel()} to have the writes take effect
 * as the kernel's would (it creates and removes devices within the write).
 *
 * <pre>
 * sys/devices/pci0000:00/ADDR/mdev_supported_types/TYPE/{create,name,device_api,available_instances}
 * sys/devices/pci0000:00/ADDR/UUID/{remove,mdev_type -> ../mdev_supported_types/TYPE}   (an mdev)
 * sys/class/mdev_bus/ADDR -> ../../devices/pci0000:00/ADDR
 * sys/bus/mdev/devices/UUID -> ../../../devices/pci0000:00/ADDR/UUID
 * </pre>
 */
final class FakeSysfs {
  final Path root;

  FakeSysfs(Path root) throws IOException {
    this.root = root;
    Files.createDirectories(root.resolve("sys/class/mdev_bus"));
    Files.createDirectories(root.resolve("sys/bus/mdev/devices"));
  }

  /** A GPU at {@code address} offering mdev types id -> name (name null: no name file, as on some drivers). */
  FakeSysfs gpu(String address, Map<String, String> types) throws IOException {
    Path dev = Files.createDirectories(root.resolve("sys/devices/pci0000:00").resolve(address));
    for (Map.Entry<String, String> t : types.entrySet()) {
      Path type = Files.createDirectories(dev.resolve("mdev_supported_types").resolve(t.getKey()));
      Files.writeString(type.resolve("create"), "");
      Files.writeString(type.resolve("device_api"), "vfio-pci\n");
      Files.writeString(type.resolve("available_instances"), "4\n");
      if (t.getValue() != null) {
        Files.writeString(type.resolve("name"), t.getValue() + "\n");
      }
    }
    Files.createSymbolicLink(root.resolve("sys/class/mdev_bus").resolve(address),
        Path.of("../../devices/pci0000:00").resolve(address));
    return this;
  }

  /** An mdev that exists already (made by the operator or mdevctl), as the kernel shows it. */
  FakeSysfs existingMdev(String address, String type, String uuid) throws IOException {
    appear(address, type, uuid);
    return this;
  }

  boolean exists(String uuid) {
    return Files.isDirectory(root.resolve("sys/bus/mdev/devices").resolve(uuid));
  }

  /**
   * What the kernel does with the values written to {@code create} and {@code remove} since the last call: a uuid
   * written to create makes the mdev, "1" written to remove removes it. Returns the writes, each as "PATH <- VALUE"
   * with PATH relative to the root (through the mdev_bus and mdev/devices links, as a writer sees it).
   */
  List<String> kernel() throws IOException {
    List<String> writes = new ArrayList<>();
    for (Path bus : list(root.resolve("sys/class/mdev_bus"))) {
      for (Path type : list(bus.resolve("mdev_supported_types"))) {
        Path create = type.resolve("create");
        String v = Files.isRegularFile(create) ? Files.readString(create, StandardCharsets.US_ASCII) : "";
        if (!v.isEmpty()) {
          writes.add(root.relativize(create) + " <- " + v);
          Files.writeString(create, "");
          appear(bus.getFileName().toString(), type.getFileName().toString(), v.strip());
        }
      }
    }
    for (Path mdev : list(root.resolve("sys/bus/mdev/devices"))) {
      Path remove = mdev.resolve("remove");
      String v = Files.isRegularFile(remove) ? Files.readString(remove, StandardCharsets.US_ASCII) : "";
      if (!v.isEmpty()) {
        writes.add(root.relativize(remove) + " <- " + v);
        if (v.strip().equals("1")) {
          Path real = mdev.toRealPath();
          try (Stream<Path> s = Files.walk(real)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
              Files.delete(p);
            }
          }
          Files.delete(mdev);
        } else {
          Files.writeString(remove, "");
        }
      }
    }
    return writes;
  }

  private void appear(String address, String type, String uuid) throws IOException {
    Path dev = Files.createDirectories(root.resolve("sys/devices/pci0000:00").resolve(address).resolve(uuid));
    Files.writeString(dev.resolve("remove"), "");
    Files.createSymbolicLink(dev.resolve("mdev_type"), Path.of("../mdev_supported_types").resolve(type));
    Files.createSymbolicLink(root.resolve("sys/bus/mdev/devices").resolve(uuid),
        Path.of("../../../devices/pci0000:00").resolve(address).resolve(uuid));
  }

  private static List<Path> list(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        ds.forEach(out::add);
      }
    }
    out.sort(Comparator.comparing(Path::toString));
    return out;
  }
}

package io.gpucloud.agent.discovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A sysfs-shaped tree of plain directories, files and relative symlinks under {@code root}, laid out as the
 * kernel lays out PCI devices: the device directory under sys/devices/pciDDDD:BB/... with its attribute files,
 * a sys/bus/pci/devices link to it, driver and iommu_group links, mdev types and instances, SR-IOV VFs beside
 * their PF with physfn / virtfnN links.
 */
final class SysfsTree {
  final Path root;

  SysfsTree(Path root) throws IOException {
    this.root = root;
    Files.createDirectories(root.resolve("sys/bus/pci/devices"));
  }

  /** sys/devices/{busDir}/{parentPath}/{addr} with class, vendor and device, and its bus/pci/devices link. */
  Path device(String busDir, String parentPath, String addr, String cls, String vendor, String device)
      throws IOException {
    Path dir = root.resolve("sys/devices").resolve(busDir);
    if (parentPath != null) {
      dir = dir.resolve(parentPath);
    }
    dir = dir.resolve(addr);
    Files.createDirectories(dir);
    write(dir.resolve("class"), cls + "\n");
    write(dir.resolve("vendor"), "0x" + vendor + "\n");
    write(dir.resolve("device"), "0x" + device + "\n");
    link(root.resolve("sys/bus/pci/devices").resolve(addr), dir);
    return dir;
  }

  static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  /** A relative symlink, as sysfs has them. */
  static void link(Path link, Path target) throws IOException {
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, link.getParent().relativize(target));
  }

  SysfsTree driver(Path dev, String name) throws IOException {
    Path d = root.resolve("sys/bus/pci/drivers").resolve(name);
    Files.createDirectories(d);
    link(dev.resolve("driver"), d);
    return this;
  }

  SysfsTree iommuGroup(Path dev, String group) throws IOException {
    Path g = root.resolve("sys/kernel/iommu_groups").resolve(group);
    Files.createDirectories(g);
    link(dev.resolve("iommu_group"), g);
    return this;
  }

  SysfsTree attribute(Path dev, String name, String value) throws IOException {
    write(dev.resolve(name), value + "\n");
    return this;
  }

  /** An mdev type of the function at {@code dev}, with instances (uuid directories in the function's own). */
  SysfsTree mdevType(Path dev, String type, String name, int available, String description, String... uuids)
      throws IOException {
    Path t = dev.resolve("mdev_supported_types").resolve(type);
    Files.createDirectories(t.resolve("devices"));
    if (name != null) {
      write(t.resolve("name"), name + "\n");
    }
    write(t.resolve("available_instances"), available + "\n");
    write(t.resolve("device_api"), "vfio-pci\n");
    if (description != null) {
      write(t.resolve("description"), description + "\n");
    }
    for (String uuid : uuids) {
      Path mdev = dev.resolve(uuid);
      Files.createDirectories(mdev);
      link(mdev.resolve("mdev_type"), t);
      link(t.resolve("devices").resolve(uuid), mdev);
    }
    return this;
  }

  /** VF number {@code index} of {@code pf}, beside it under the same parent, with physfn and virtfnN links. */
  Path vf(Path pf, int index, String busDir, String parentPath, String addr, String cls, String vendor,
      String device) throws IOException {
    Path vf = device(busDir, parentPath, addr, cls, vendor, device);
    link(vf.resolve("physfn"), pf);
    link(pf.resolve("virtfn" + index), vf);
    return vf;
  }
}

package io.gpucloud.agent.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/** A simulated pool's volumes as files in its directory, against the test driver's in-memory pool. */
class SavedVolumesTest {
  static final String VOLUME = "<volume><name>%s</name><capacity unit='GiB'>20</capacity><allocation>0</allocation>"
      + "<target><format type='qcow2'/></target><backingStore><path>/img/t.qcow2</path><format type='qcow2'/>"
      + "</backingStore></volume>";

  @TempDir Path tmp;

  @Test
  void thePoolListsExactlyTheVolumeFilesOfItsDirectory() throws Exception {
    HostSpec spec = HostSpecLoader.load(HostSpecLoaderTest.H1);
    Path node = tmp.resolve("H1").resolve(SavedDomains.NODE_DOCUMENT);
    Connect c = new Connect(TestDriverXml.write(spec, node), false);
    try {
      SavedVolumes saved = new SavedVolumes(TestDriverXml.poolDirectory(spec, node));
      StoragePool pool = c.storagePoolLookupByName("shared-nfs");
      StorageVol made = pool.storageVolCreateXML(String.format(VOLUME, "root-a.qcow2"), 0);
      saved.created(made);
      Path dir = saved.directory();
      assertThat(dir.resolve("root-a.qcow2")).exists();
      assertThat(made.getPath()).isEqualTo(dir.resolve("root-a.qcow2").toString());

      // another host of the shared pool made one, and some files are not volumes
      Files.writeString(dir.resolve("root-b.qcow2"), String.format(VOLUME, "root-b.qcow2"));
      Files.writeString(dir.resolve("notes.txt"), "not a volume");
      Files.writeString(dir.resolve("root-c.qcow2"), String.format(VOLUME, "root-other.qcow2"));
      Files.writeString(dir.resolve(".root-d.qcow2.tmp"), String.format(VOLUME, ".root-d.qcow2.tmp"));
      saved.refresh(pool);
      assertThat(Arrays.asList(pool.listVolumes())).containsExactlyInAnyOrder("root-a.qcow2", "root-b.qcow2");
      assertThat(pool.storageVolLookupByName("root-b.qcow2").getXMLDesc(0)).contains("/img/t.qcow2");

      // the other host deleted one; this host deleted its own
      Files.delete(dir.resolve("root-b.qcow2"));
      pool.storageVolLookupByName("root-a.qcow2").delete(0);
      saved.deleted("root-a.qcow2");
      saved.refresh(pool);
      assertThat(pool.listVolumes()).isEmpty();
      assertThat(saved.load()).isEmpty();
    } finally {
      c.close();
    }
  }
}

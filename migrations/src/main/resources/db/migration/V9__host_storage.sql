-- Where a host keeps its instances' root disks, as its agent reports it at registration: the libvirt
-- pool's name, and whether other hosts mount the same pool (NFS primary storage). A cold migration,
-- or a start on another host, needs the disk on the target: both hosts on the same shared pool.
ALTER TABLE hosts
  ADD COLUMN storage_pool   VARCHAR(255) NULL,
  ADD COLUMN storage_shared TINYINT(1)   NOT NULL DEFAULT 0;

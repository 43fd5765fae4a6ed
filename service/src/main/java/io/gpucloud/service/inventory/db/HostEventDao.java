package io.gpucloud.service.inventory.db;

import io.gpucloud.activities.model.HostEvent;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** host_events. */
@RegisterConstructorMapper(HostEvent.class)
public interface HostEventDao {
  @SqlQuery(
      "SELECT id, host_id, level, type, message, workflow_id, created_at FROM host_events"
          + " WHERE host_id = :hostId ORDER BY id DESC LIMIT :limit")
  List<HostEvent> latest(@Bind("hostId") String hostId, @Bind("limit") int limit);
}

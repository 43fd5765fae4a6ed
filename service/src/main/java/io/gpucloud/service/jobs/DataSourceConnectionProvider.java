package io.gpucloud.service.jobs;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.quartz.utils.ConnectionProvider;

/** Quartz borrows connections from the service's own pool (Dropwizard's ManagedDataSource). */
public class DataSourceConnectionProvider implements ConnectionProvider {
  private final DataSource dataSource;

  public DataSourceConnectionProvider(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return dataSource.getConnection();
  }

  @Override
  public void shutdown() {
    // the pool belongs to Dropwizard's lifecycle
  }

  @Override
  public void initialize() {}
}

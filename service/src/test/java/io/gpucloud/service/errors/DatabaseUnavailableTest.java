package io.gpucloud.service.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.jackson.Jackson;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import org.apache.tomcat.jdbc.pool.PoolExhaustedException;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A database that cannot be reached is a 503 with Retry-After; every other database error keeps its 500. */
@ExtendWith(DropwizardExtensionsSupport.class)
class DatabaseUnavailableTest {

  @Path("/db")
  @Produces(MediaType.APPLICATION_JSON)
  public static class FailingResource {
    @GET
    @Path("/refused")
    public String refused() {
      // what Jdbi throws when the pool cannot open a connection to a stopped MariaDB
      throw new ConnectionException(new SQLNonTransientConnectionException(
          "Socket fail to connect to 127.0.0.1:3307. Connection refused", "08000",
          new ConnectException("Connection refused")));
    }

    @GET
    @Path("/lost")
    public String lost() {
      throw new UnableToExecuteStatementException(
          new SQLTransientConnectionException("(conn=7) Connection reset", "08000"), null);
    }

    @GET
    @Path("/pool")
    public String pool() throws SQLException {
      throw new PoolExhaustedException("[pool-1] Timeout: Pool empty. Unable to fetch a connection in 2 seconds");
    }

    @GET
    @Path("/wrapped")
    public String wrapped() {
      throw new IllegalStateException("cannot list hosts", new ConnectionException(new SQLException("x", "08S01")));
    }

    @GET
    @Path("/syntax")
    public String syntax() {
      throw new UnableToExecuteStatementException(new SQLSyntaxErrorException("bad SQL near 'secret'", "42000"), null);
    }
  }

  static final ResourceExtension RESOURCES = resources();

  private static ResourceExtension resources() {
    ResourceExtension.Builder b = ResourceExtension.builder()
        .setMapper(StrictJson.configure(Jackson.newObjectMapper()))
        .setRegisterDefaultExceptionMappers(false)
        .addResource(new FailingResource());
    ErrorMappers.all().forEach(b::addProvider); // as the application registers them
    return b.build();
  }

  @SuppressWarnings("unchecked")
  private static void assert503(String path) {
    Response r = RESOURCES.target("/db/" + path).request().get();
    assertThat(r.getStatus()).as(path).isEqualTo(503);
    assertThat(r.getHeaderString("Retry-After")).isEqualTo("2");
    assertThat(r.getMediaType().toString()).startsWith("application/json");
    assertThat(r.readEntity(Map.class))
        .isEqualTo(Map.of("code", 503, "message", "database unavailable, retry later"));
  }

  @Test
  void connectionRefusedLostOrPoolExhaustedIs503WithRetryAfter() {
    assert503("refused");
    assert503("lost");
    assert503("pool");
    assert503("wrapped");
  }

  @Test
  void anotherDatabaseErrorKeepsItsGeneric500() {
    Response r = RESOURCES.target("/db/syntax").request().get();
    assertThat(r.getStatus()).isEqualTo(500);
    assertThat(r.getHeaderString("Retry-After")).isNull();
    assertThat((String) r.readEntity(Map.class).get("message")).startsWith("internal server error")
        .doesNotContain("secret");
  }

  @Test
  void classification() {
    assertThat(DatabaseUnavailable.is(new SQLNonTransientConnectionException("gone"))).isTrue();
    assertThat(DatabaseUnavailable.is(new SQLTransientConnectionException("gone"))).isTrue();
    assertThat(DatabaseUnavailable.is(new RuntimeException(new ConnectException("Connection refused")))).isTrue();
    assertThat(DatabaseUnavailable.is(new SQLException("Communications link failure", "08S01"))).isTrue();
    assertThat(DatabaseUnavailable.is(new SQLException("Server shutdown in progress", "HY000", 1053))).isTrue();
    SQLException chained = new SQLException("batch failed");
    chained.setNextException(new SQLNonTransientConnectionException("gone"));
    assertThat(DatabaseUnavailable.is(chained)).isTrue();

    assertThat(DatabaseUnavailable.is(new SQLIntegrityConstraintViolationException("Duplicate entry", "23000", 1062)))
        .isFalse();
    assertThat(DatabaseUnavailable.is(new SQLSyntaxErrorException("bad", "42000"))).isFalse();
    assertThat(DatabaseUnavailable.is(new SQLException("Lock wait timeout exceeded", "HY000", 1205))).isFalse();
    assertThat(DatabaseUnavailable.is(new IllegalStateException("no"))).isFalse();
    RuntimeException loop = new RuntimeException("loop");
    assertThat(DatabaseUnavailable.is(new RuntimeException(loop))).isFalse();
  }
}

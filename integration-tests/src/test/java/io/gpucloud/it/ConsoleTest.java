package io.gpucloud.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (Debian's chromium, headless, driven by its chromedriver; no
 * Selenium Manager download): a tenant deploys the demo's "Sim 2xGPU Offering" and follows it live,
 * another tenant does not see it, an operator reads a host's GPU Cards tab (the numbers of
 * /hosts/{id}/gpu-summary), adds an offering through the talk's form and takes a host into
 * maintenance and back; CSRF and key revocation. Screenshots under target/screenshots/.
 */
class ConsoleTest {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  static final Path SHOTS = Path.of("target/screenshots");
  static Stack stack;
  static String console;

  WebDriver driver;
  String testName;

  @BeforeAll
  static void up() {
    assumeTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
        "chromium and chromium-driver are installed by scripts/setup.sh");
    stack = Stack.get();
    stack.awaitHosts("H1", "H2");
    console = stack.apiUrl.replace("/api/v1", "") + "/console";
  }

  @BeforeEach
  void browser(TestInfo info) {
    testName = info.getTestMethod().orElseThrow().getName();
    driver = newDriver();
  }

  /** Headless chromium at 1280x800, through Debian's chromedriver (never a downloaded one). */
  static WebDriver newDriver() {
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM);
    o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1280,800", "--no-first-run", "--disable-extensions");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
    WebDriver d = new ChromeDriver(service, o);
    d.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    return d;
  }

  @AfterEach
  void close() throws IOException {
    if (driver != null) {
      shot(testName + "-end");
      driver.quit();
    }
  }

  // ---- (1) + (2) ----

  @Test
  void tenantDeploysWatchesItRunStopsAndDestroysAndAnotherTenantDoesNotSeeIt() throws IOException {
    Tenants.Tenant owner = Tenants.tenant(stack, "console", Tenants.unlimited());
    Tenants.Tenant other = Tenants.tenant(stack, "console-other", Tenants.unlimited());
    String name = "console-" + UUID.randomUUID().toString().substring(0, 8);

    signIn(owner.key());
    driver.findElement(By.id("deploy")).click();
    wait(30).until(ExpectedConditions.presenceOfElementLocated(By.id("deploy-form")));
    driver.findElement(By.id("name")).sendKeys(name);
    WebElement offeringRow = driver.findElement(By.cssSelector("#offerings tr[data-name='Sim 2xGPU Offering']"));
    assertThat(offeringRow.getText()).contains("2 x ACS Simulated Graphics Card Pro (sim-8q)");
    offeringRow.findElement(By.cssSelector("input[type=radio]")).click();
    driver.findElement(By.id("deploy-submit")).click();

    // the instance page: its state changes Creating -> Running without a reload (htmx polls the fragment)
    wait(30).until(ExpectedConditions.presenceOfElementLocated(By.id("state")));
    String url = driver.getCurrentUrl();
    String id = url.replaceAll(".*/instances/([^?/]+).*", "$1");
    ((JavascriptExecutor) driver).executeScript("window.__sameDocument = true;");
    wait(180).until(d -> List.of("Running", "Error").contains(d.findElement(By.id("state")).getText()));
    assertThat(driver.findElement(By.id("state")).getText()).as(errorReason()).isEqualTo("Running");
    assertThat(((JavascriptExecutor) driver).executeScript("return window.__sameDocument === true;"))
        .as("the page was not reloaded").isEqualTo(true);
    assertThat(Ops.state(stack, id)).isEqualTo("Running");

    // GPU Cards tab
    driver.findElement(By.id("tab-gpu")).click();
    WebElement cards = wait(30).until(ExpectedConditions.presenceOfElementLocated(By.id("gpu-cards")));
    assertThat(cards.getText()).contains("ACS Simulated Graphics Card Pro").contains("sim-8q");
    assertThat(cards.findElement(By.cssSelector(".gpu-count")).getText()).isEqualTo("2");
    shot("tenant-instance-gpu-cards");

    // the list, as the talk shows it
    driver.get(console + "/instances");
    WebElement row = driver.findElement(By.cssSelector("#instances tr[data-name='" + name + "']"));
    assertThat(row.findElement(By.cssSelector(".gpu-cards")).getText())
        .isEqualTo("2 x ACS Simulated Graphics Card Pro (sim-8q)");
    assertThat(row.getText()).contains("Running").contains("Sim 2xGPU Offering");
    assertThat(driver.findElements(By.xpath("//th[text()='Host']"))).as("no host column for a tenant").isEmpty();
    shot("tenant-instances");

    // (2) the other tenant sees neither the row nor the page
    WebDriver first = driver;
    driver = newDriver();
    try {
      signIn(other.key());
      assertThat(driver.findElement(By.id("instances")).getText()).doesNotContain(name);
      driver.get(console + "/instances/" + id);
      assertThat(driver.findElement(By.tagName("main")).getText()).contains("404").doesNotContain(name);
      shot("other-tenant-404");
    } finally {
      driver.quit();
      driver = first;
    }

    // stop, then destroy, from the instance page
    driver.get(console + "/instances/" + id);
    clickAction("Stop");
    wait(30).until(ExpectedConditions.presenceOfElementLocated(By.id("msg")));
    wait(180).until(d -> List.of("Stopped", "Error").contains(d.findElement(By.id("state")).getText()));
    assertThat(driver.findElement(By.id("state")).getText()).as(errorReason()).isEqualTo("Stopped");
    driver.navigate().refresh();
    clickAction("Destroy");
    driver.switchTo().alert().accept();
    wait(30).until(ExpectedConditions.presenceOfElementLocated(By.id("msg")));
    Stack.await("instance destroyed", Duration.ofSeconds(180), () -> "Destroyed".equals(Ops.state(stack, id)));
    // a refused operation reads as the API's message
    driver.get(console + "/instances/" + id);
    shot("tenant-destroyed");
  }

  // ---- (3) ----

  @Test
  void operatorReadsGpuCardsAddsAnOfferingAndTakesAHostIntoMaintenanceAndBack() throws IOException {
    signIn(stack.adminKey);
    String h1 = stack.hostId("H1");

    // H1's GPU Cards tab: the numbers of GET /hosts/{id}/gpu-summary (read until both agree on a quiet host)
    driver.get(console + "/hosts");
    driver.findElement(By.linkText("H1")).click();
    wait(30).until(ExpectedConditions.presenceOfElementLocated(By.id("gpu-cards")));
    List<String> page = List.of();
    List<String> api = List.of("?");
    for (int i = 0; i < 10 && !page.equals(api); i++) {
      JsonNode before = stack.get("/hosts/" + h1 + "/gpu-summary");
      driver.navigate().refresh();
      page = new ArrayList<>();
      for (WebElement tr : driver.findElements(By.cssSelector("#gpu-cards tbody tr"))) {
        List<WebElement> td = tr.findElements(By.tagName("td"));
        page.add(String.join("|", td.get(0).getText(), td.get(1).getText(), td.get(2).getText(), td.get(3).getText(),
            td.get(4).getText()));
      }
      api = new ArrayList<>();
      for (JsonNode c : before) {
        api.add(String.join("|", c.path("cardName").asText(), "", c.path("total").asText(),
            c.path("allocated").asText(), c.path("available").asText()));
        for (JsonNode p : c.path("profiles")) {
          api.add(String.join("|", "", p.path("profileName").asText(), p.path("total").asText(),
              p.path("allocated").asText(), p.path("available").asText()));
        }
      }
    }
    assertThat(page).isNotEmpty().isEqualTo(api);
    assertThat(String.join("\n", page)).contains("ACS Simulated Graphics Card Pro");
    shot("host-gpu-cards");

    // an offering through the talk's form: GPU Card, then that card's profiles (htmx), GPU Count, GPU Display
    String offering = "console-offering-" + UUID.randomUUID().toString().substring(0, 8);
    driver.get(console + "/offerings");
    driver.findElement(By.id("offering-name")).sendKeys(offering);
    new Select(driver.findElement(By.id("gpuCard"))).selectByVisibleText("ACS Simulated Graphics Card Pro");
    wait(30).ignoring(StaleElementReferenceException.class).until(d -> new Select(d.findElement(By.id("vgpuProfileId"))).getOptions().stream()
        .anyMatch(o -> o.getText().equals("sim-8q")));
    new Select(driver.findElement(By.id("vgpuProfileId"))).selectByVisibleText("sim-8q");
    WebElement count = driver.findElement(By.id("gpuCount"));
    count.clear();
    count.sendKeys("2");
    driver.findElement(By.id("gpuDisplay")).click();
    shot("offering-form");
    driver.findElement(By.id("offering-submit")).click();
    assertThat(wait(30).until(ExpectedConditions.presenceOfElementLocated(By.id("msg"))).getText()).contains(offering);
    JsonNode created = Stack.list(stack.get("/offerings?name=" + offering)).get(0);
    assertThat(created.path("gpuCount").asInt()).isEqualTo(2);
    assertThat(created.path("vgpuProfileName").asText()).isEqualTo("sim-8q");
    assertThat(created.path("gpuDisplay").asBoolean()).isTrue();
    assertThat(driver.findElement(By.cssSelector("#offerings tr[data-name='" + offering + "'] .gpu-cards")).getText())
        .isEqualTo("2 x ACS Simulated Graphics Card Pro (sim-8q)");
    stack.admin("DELETE", "/offerings/" + created.path("id").asText(), null);

    // every other page renders (HTML with its heading, not an error)
    for (String p : List.of("/cards", "/profiles", "/devices", "/templates", "/domains", "/accounts", "/projects",
        "/users", "/limits", "/usage", "/schedules", "/exports", "/hosts", "/instances", "/instances/new", "/queue",
        "/hosts/" + h1 + "?tab=history")) {
      driver.get(console + p);
      assertThat(driver.findElements(By.cssSelector("main h1"))).as(p + ": " + driver.getPageSource()).hasSize(1);
      assertThat(driver.findElement(By.tagName("main")).getText()).as(p).doesNotContain("Error 500");
    }
    driver.get(console + "/queue");
    assertThat(driver.findElements(By.cssSelector("#queue thead th"))).as(driver.getPageSource()).hasSize(9);

    // S1 (its own card, no instance of any test): into maintenance and back
    String s1 = stack.hostId("S1");
    driver.get(console + "/hosts/" + s1);
    clickAction("Maintenance");
    wait(30).until(ExpectedConditions.presenceOfElementLocated(By.id("msg")));
    Stack.await("S1 in maintenance", Duration.ofSeconds(120),
        () -> "Maintenance".equals(Ops.host(stack, s1).path("resourceState").asText()));
    driver.get(console + "/hosts/" + s1 + "?tab=history");
    assertThat(driver.findElement(By.id("resource-state")).getText()).isEqualTo("Maintenance");
    assertThat(driver.findElement(By.id("history")).getText()).contains("Temporal UI");
    shot("host-maintenance");
    clickAction("Cancel maintenance");
    wait(30).until(ExpectedConditions.presenceOfElementLocated(By.id("msg")));
    Stack.await("S1 enabled again", Duration.ofSeconds(120),
        () -> "Enabled".equals(Ops.host(stack, s1).path("resourceState").asText()));
  }

  // ---- (4) ----

  @Test
  void aPostWithoutCsrfTokenIsRefusedAndARevokedKeyEndsTheSession() throws IOException {
    Tenants.Tenant t = Tenants.tenant(stack, "console-csrf", Tenants.unlimited());
    Stack.Response key = stack.admin("POST", "/users/" + t.userId() + "/keys", null);
    assertThat(key.status()).as(key.raw()).isEqualTo(201);
    signIn(key.body().path("key").asText());
    assertThat(driver.manage().getCookieNamed("gpucloud_console").isHttpOnly()).isTrue();
    assertThat(driver.manage().getCookieNamed("gpucloud_console").getSameSite()).isEqualTo("Strict");

    // same-origin POSTs with the session cookie: no token, a wrong token -> 403; nothing happens
    Object noToken = ((JavascriptExecutor) driver).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "fetch('/console/projects', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},"
            + " body: 'name=csrf-probe'}).then(r => done(r.status), e => done(String(e)));");
    assertThat(noToken).isEqualTo(403L);
    Object wrongToken = ((JavascriptExecutor) driver).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "fetch('/console/projects', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},"
            + " body: 'name=csrf-probe&csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'}).then(r => done(r.status),"
            + " e => done(String(e)));");
    assertThat(wrongToken).isEqualTo(403L);
    assertThat(stack.call("GET", "/projects", null, t.key()).raw()).doesNotContain("csrf-probe");

    // the session works until the key is revoked, then the next request goes to the sign-in page
    driver.get(console + "/limits");
    assertThat(driver.findElement(By.id("limits")).getText()).contains("GPUs Used / Limit");
    Stack.Response revoked = stack.admin("DELETE", "/users/" + t.userId() + "/keys/" + key.body().path("id").asText(),
        null);
    assertThat(revoked.status()).as(revoked.raw()).isIn(200, 204);
    driver.get(console + "/limits");
    assertThat(driver.getCurrentUrl()).contains("/console/login");
    assertThat(driver.findElements(By.id("limits"))).isEmpty();
    shot("revoked-session");
  }

  // ---- helpers ----

  void signIn(String key) {
    driver.get(console + "/login");
    driver.findElement(By.id("apiKey")).sendKeys(key);
    driver.findElement(By.id("signin")).click();
    wait(30).until(ExpectedConditions.presenceOfElementLocated(By.id("instances")));
  }

  void clickAction(String label) {
    driver.findElement(By.cssSelector("button[data-action='" + label + "']")).click();
  }

  String errorReason() {
    List<WebElement> e = driver.findElements(By.id("error-reason"));
    return e.isEmpty() ? "" : e.get(0).getText();
  }

  WebDriverWait wait(int seconds) {
    return new WebDriverWait(driver, Duration.ofSeconds(seconds));
  }

  void shot(String name) throws IOException {
    Files.createDirectories(SHOTS);
    File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }
}

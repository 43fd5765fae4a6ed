package io.gpucloud.agent.domain;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * The host's CPUs per NUMA node, as libvirt's {@code getCapabilities()} reports them
 * ({@code <host><topology><cells><cell id='N'><cpus><cpu id='..'/>}), as cpuset strings ("0-3,8-11").
 * The libvirt test driver reports no cells for a document it reads from a file, so a simulated host takes its
 * topology from its spec instead ({@link #contiguous}, the layout its test-driver document declares).
 */
public record HostTopology(Map<Integer, String> cpusetByNode) {

  public HostTopology {
    cpusetByNode = cpusetByNode == null ? Map.of() : Map.copyOf(cpusetByNode);
  }

  public static HostTopology empty() {
    return new HostTopology(Map.of());
  }

  /**
   * {@code nodes} NUMA nodes of {@code cpusPerNode} CPUs each, numbered in order (node 0: 0..k-1, node 1: k..2k-1):
   * how libvirt numbers the CPUs of a host with one socket per node, as a simulated host's document declares it.
   */
  public static HostTopology contiguous(int nodes, int cpusPerNode) {
    Map<Integer, String> out = new TreeMap<>();
    for (int n = 0; n < nodes; n++) {
      TreeSet<Integer> cpus = new TreeSet<>();
      for (int c = 0; c < cpusPerNode; c++) {
        cpus.add(n * cpusPerNode + c);
      }
      if (!cpus.isEmpty()) {
        out.put(n, cpuset(cpus));
      }
    }
    return new HostTopology(out);
  }

  /** Parses a libvirt capabilities document; throws IllegalArgumentException when it is not XML. */
  public static HostTopology parseCapabilities(String capabilitiesXml) {
    Document doc;
    try {
      DocumentBuilder db = SafeXml.documentBuilder();
      doc = db.parse(new InputSource(new StringReader(capabilitiesXml)));
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw new IllegalArgumentException("libvirt capabilities are not valid XML: " + e.getMessage(), e);
    }
    Map<Integer, String> result = new TreeMap<>();
    NodeList topologies = doc.getElementsByTagName("topology");
    for (int t = 0; t < topologies.getLength(); t++) {
      Element topology = (Element) topologies.item(t);
      // only the host's NUMA topology (<host><topology><cells>), not a <cpu><topology sockets=.../>
      if (!(topology.getParentNode() instanceof Element parent) || !parent.getTagName().equals("host")) {
        continue;
      }
      for (Element cells : children(topology, "cells")) {
        for (Element cell : children(cells, "cell")) {
          Integer id = intAttr(cell, "id");
          if (id == null) {
            continue;
          }
          TreeSet<Integer> cpus = new TreeSet<>();
          for (Element cpusEl : children(cell, "cpus")) {
            for (Element cpu : children(cpusEl, "cpu")) {
              Integer cpuId = intAttr(cpu, "id");
              if (cpuId != null) {
                cpus.add(cpuId);
              }
            }
          }
          if (!cpus.isEmpty()) {
            result.put(id, cpuset(cpus));
          }
        }
      }
    }
    return new HostTopology(result);
  }

  /** A compact libvirt cpuset: [0,1,2,3,8,9] becomes "0-3,8-9". */
  static String cpuset(TreeSet<Integer> cpus) {
    StringBuilder sb = new StringBuilder();
    Integer start = null;
    Integer prev = null;
    for (int c : cpus) {
      if (start == null) {
        start = c;
      } else if (c != prev + 1) {
        appendRange(sb, start, prev);
        start = c;
      }
      prev = c;
    }
    if (start != null) {
      appendRange(sb, start, prev);
    }
    return sb.toString();
  }

  private static void appendRange(StringBuilder sb, int from, int to) {
    if (sb.length() > 0) {
      sb.append(',');
    }
    sb.append(from);
    if (to != from) {
      sb.append('-').append(to);
    }
  }

  private static Integer intAttr(Element e, String name) {
    String v = e.getAttribute(name);
    if (v.isEmpty()) {
      return null;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException ex) {
      return null;
    }
  }

  static List<Element> children(Element parent, String tag) {
    List<Element> out = new ArrayList<>();
    for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        out.add(e);
      }
    }
    return out;
  }
}

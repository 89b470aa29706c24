"""Browses and resolves mDNS services with python-zeroconf on one interface; prints JSON.

usage: zeroconf-browse.py <interface ip> <seconds> <service type>...
Each service: type, name, server, port, addresses and the TXT strings in wire order
(parsed from the raw TXT rdata, so order and empty strings are kept).
"""
import json
import sys
import time

from zeroconf import IPVersion, ServiceBrowser, ServiceInfo, Zeroconf


def txt_strings(raw):
    out, i = [], 0
    while i < len(raw):
        n = raw[i]
        out.append(raw[i + 1:i + 1 + n].decode('utf-8', 'replace'))
        i += 1 + n
    return out


class Collector:
    def __init__(self):
        self.found = set()

    def add_service(self, zc, type_, name):
        self.found.add((type_, name))

    def update_service(self, zc, type_, name):
        self.found.add((type_, name))

    def remove_service(self, zc, type_, name):
        pass


def main():
    ip, seconds, types = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    zc = Zeroconf(interfaces=[ip], ip_version=IPVersion.V4Only)
    try:
        col = Collector()
        browsers = [ServiceBrowser(zc, t if t.endswith('.') else t + '.', col) for t in types]
        time.sleep(seconds)
        out = []
        for type_, name in sorted(col.found):
            info = ServiceInfo(type_, name)
            ok = info.request(zc, 3000)
            out.append({
                'type': type_,
                'name': name,
                'resolved': bool(ok),
                'server': info.server,
                'port': info.port,
                'addresses': info.parsed_addresses(),
                'txt': txt_strings(info.text or b''),
            })
        for b in browsers:
            b.cancel()
        print(json.dumps(out))
    finally:
        zc.close()


main()

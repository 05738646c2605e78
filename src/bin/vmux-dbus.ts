// dbus-native, bundled apart from vmuxd and the CLI: see src/desktop/notifications/load-dbus-native.ts.
export * from 'dbus-native';

export {
  PERMISSIONS,
  BUILTIN_ROLES,
  isPermission,
  isBuiltinRole,
  permissionsOf,
  documentAccess,
  checkMembershipChange,
  grantFromRole,
} from './permissions.js'
export type {
  Permission,
  BuiltinRole,
  RoleGrant,
  DocumentAccess,
  MembershipChangeRefusal,
} from './permissions.js'

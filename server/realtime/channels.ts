/**
 * Socket.IO room names. Every socket of a user joins that user's personal channel at connect, so
 * personal events (`tokens:balance`, `gift:received`) reach every open tab, on any node. Sockets
 * join a room channel only while their user is a member of that room, so a room broadcast never
 * reaches non-members.
 */
export const userChannel = (userId: string): string => `user:${userId}`;
export const roomChannel = (roomId: string): string => `room:${roomId}`;
/** Issue 13: a topic sockets subscribe to while a view is open (`shop` for `shop:stock`). */
export const topicChannel = (topic: string): string => `topic:${topic}`;
